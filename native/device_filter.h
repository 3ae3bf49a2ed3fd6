// cgroup v2 device control: an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE
// (built by src/cgroups/device-filter.ts), loaded and attached to a cgroup dir.
#pragma once
#include <stddef.h>

#include <string>

namespace device_filter {

// Loads the program (insns: struct bpf_insn[], count) and attaches it to the
// cgroup directory, replacing the programs minirun attached before (runc
// does the same on update). Returns "" or an error text with errno.
std::string attach(const char* cgroup_dir, const void* insns, size_t count);

}  // namespace device_filter
