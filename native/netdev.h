// linux.netDevices: moving a host network interface into a container's
// network namespace (rtnetlink, from the parent: the host's namespace).
#pragma once
#include <string>

namespace netdev {

// Moves host_name into the network namespace of pid as `name`, puts its
// permanent IPv4/IPv6 addresses back (a move drops them) and sets it up, as
// the runtime-spec asks. Returns "" or what failed, with errno text.
std::string move_into(const std::string& host_name, int pid, const std::string& name);

}  // namespace netdev
