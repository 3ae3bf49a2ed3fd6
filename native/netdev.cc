#include "netdev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "common/fd.h"

namespace netdev {
namespace {

std::string failed(const std::string& what, int err) { return what + ": " + strerror(err); }

// One rtnetlink request, built in place: header, payload, attributes.
class Request {
 public:
  Request(uint16_t type, uint16_t flags) {
    buf_.resize(NLMSG_HDRLEN);
    hdr()->nlmsg_type = type;
    hdr()->nlmsg_flags = NLM_F_REQUEST | flags;
    hdr()->nlmsg_seq = 1;
  }
  template <typename T>
  void payload(const T& p) {
    append(&p, sizeof(p));
  }
  void attr(uint16_t type, const void* data, size_t len) {
    struct rtattr a;
    a.rta_type = type;
    a.rta_len = RTA_LENGTH(len);
    append(&a, sizeof(a));
    append(data, len);
  }
  void attr_u32(uint16_t type, uint32_t v) { attr(type, &v, sizeof(v)); }
  void attr_str(uint16_t type, const std::string& s) { attr(type, s.c_str(), s.size() + 1); }
  const void* data() {
    hdr()->nlmsg_len = buf_.size();
    return buf_.data();
  }
  size_t size() const { return buf_.size(); }

 private:
  nlmsghdr* hdr() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
  void append(const void* p, size_t n) {
    const unsigned char* b = static_cast<const unsigned char*>(p);
    buf_.insert(buf_.end(), b, b + n);
    buf_.resize(NLMSG_ALIGN(buf_.size()));
  }
  std::vector<unsigned char> buf_;
};

UniqueFd open_rtnl() { return UniqueFd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)); }

// Sends a request; for NLM_F_ACK requests returns the kernel's errno (0: done),
// for dumps calls on_msg for each message until NLMSG_DONE.
template <typename F>
int transact(int sock, Request& req, F on_msg) {
  if (send(sock, req.data(), req.size(), 0) < 0) return errno;
  std::vector<char> buf(1 << 16);
  for (;;) {
    ssize_t n = recv(sock, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    for (nlmsghdr* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, static_cast<unsigned>(n));
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) return -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
      on_msg(h);
    }
  }
}

int ack(int sock, Request& req) {
  return transact(sock, req, [](nlmsghdr*) {});
}

struct Address {
  ifaddrmsg msg;
  std::vector<std::pair<uint16_t, std::vector<unsigned char>>> attrs;
};

// The device's permanent inet/inet6 addresses (those the kernel did not make itself).
int permanent_addresses(int sock, int ifindex, std::vector<Address>* out) {
  Request req(RTM_GETADDR, NLM_F_DUMP);
  ifaddrmsg m{};
  m.ifa_family = AF_UNSPEC;
  req.payload(m);
  return transact(sock, req, [&](nlmsghdr* h) {
    if (h->nlmsg_type != RTM_NEWADDR) return;
    ifaddrmsg* a = static_cast<ifaddrmsg*>(NLMSG_DATA(h));
    if (static_cast<int>(a->ifa_index) != ifindex || (a->ifa_family != AF_INET && a->ifa_family != AF_INET6)) return;
    Address addr{*a, {}};
    uint32_t flags = a->ifa_flags;
    int len = IFA_PAYLOAD(h);
    for (rtattr* r = IFA_RTA(a); RTA_OK(r, len); r = RTA_NEXT(r, len)) {
      if (r->rta_type == IFA_FLAGS) memcpy(&flags, RTA_DATA(r), sizeof(flags));
      if (r->rta_type == IFA_ADDRESS || r->rta_type == IFA_LOCAL || r->rta_type == IFA_BROADCAST) {
        const unsigned char* d = static_cast<const unsigned char*>(RTA_DATA(r));
        addr.attrs.push_back({r->rta_type, std::vector<unsigned char>(d, d + RTA_PAYLOAD(r))});
      }
    }
    if (flags & IFA_F_PERMANENT) out->push_back(std::move(addr));
  });
}

// In the container's network namespace (a thread of its own joins it): the
// addresses back, then the link up.
std::string configure_inside(int netns, const std::string& name, const std::vector<Address>& addrs) {
  if (setns(netns, CLONE_NEWNET) < 0) return failed("join the container's network namespace", errno);
  int ifindex = static_cast<int>(if_nametoindex(name.c_str()));
  if (ifindex == 0) return failed("find " + name + " in the container", errno);
  UniqueFd sock = open_rtnl();
  if (!sock.ok()) return failed("netlink socket", errno);
  for (const Address& a : addrs) {
    Request req(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    ifaddrmsg m = a.msg;
    m.ifa_index = ifindex;
    req.payload(m);
    for (const auto& [type, data] : a.attrs) req.attr(type, data.data(), data.size());
    int err = ack(sock.get(), req);
    if (err != 0 && err != EEXIST) return failed("add an address to " + name, err);
  }
  Request up(RTM_NEWLINK, NLM_F_ACK);
  ifinfomsg link{};
  link.ifi_family = AF_UNSPEC;
  link.ifi_index = ifindex;
  link.ifi_flags = IFF_UP;
  link.ifi_change = IFF_UP;
  up.payload(link);
  int err = ack(sock.get(), up);
  return err ? failed("set " + name + " up", err) : "";
}

}  // namespace

std::string move_into(const std::string& host_name, int pid, const std::string& name) {
  int ifindex = static_cast<int>(if_nametoindex(host_name.c_str()));
  if (ifindex == 0) return failed("no such interface on the host", errno);
  UniqueFd netns(open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
  if (!netns.ok()) return failed("open the container's network namespace", errno);
  UniqueFd sock = open_rtnl();
  if (!sock.ok()) return failed("netlink socket", errno);
  // The name must be free in the container first: a failed rename after the
  // move would leave the device inside, to die with the namespace.
  std::string taken;
  std::thread check([&] {
    if (setns(netns.get(), CLONE_NEWNET) < 0) taken = failed("join the container's network namespace", errno);
    else if (if_nametoindex(name.c_str()) != 0) taken = "the container already has an interface named " + name;
  });
  check.join();
  if (!taken.empty()) return taken;
  std::vector<Address> addrs;
  int err = permanent_addresses(sock.get(), ifindex, &addrs);
  if (err != 0) return failed("read its addresses", err);

  // Move and rename in one request: the name is checked in the target namespace.
  Request move(RTM_NEWLINK, NLM_F_ACK);
  ifinfomsg link{};
  link.ifi_family = AF_UNSPEC;
  link.ifi_index = ifindex;
  move.payload(link);
  move.attr_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(netns.get()));
  move.attr_str(IFLA_IFNAME, name);
  err = ack(sock.get(), move);
  if (err != 0) return failed("move it into the container as " + name, err);

  std::string result;
  std::thread t([&] { result = configure_inside(netns.get(), name, addrs); });
  t.join();
  return result;
}

}  // namespace netdev
