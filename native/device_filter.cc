#include "device_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "common/fd.h"

namespace device_filter {
namespace {

long bpf(int cmd, union bpf_attr* attr) { return syscall(SYS_bpf, cmd, attr, sizeof(*attr)); }

std::string failed(const char* what, int err) { return std::string(what) + ": " + strerror(err); }

// The ids of the device programs attached to the cgroup now.
std::vector<__u32> attached(int dirfd) {
  std::vector<__u32> ids(64);
  union bpf_attr q;
  memset(&q, 0, sizeof(q));
  q.query.target_fd = dirfd;
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = reinterpret_cast<__u64>(ids.data());
  q.query.prog_cnt = ids.size();
  if (bpf(BPF_PROG_QUERY, &q) < 0) return {};
  ids.resize(q.query.prog_cnt);
  return ids;
}

}  // namespace

std::string attach(const char* cgroup_dir, const void* insns, size_t count) {
  UniqueFd dir(open(cgroup_dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!dir.ok()) return failed("open cgroup", errno);
  std::vector<__u32> old = attached(dir.get());

  // Without a log first: a verbose verifier log of a valid program can
  // overflow the buffer (ENOSPC). On failure, load again to say why.
  char log[4096] = "";
  union bpf_attr load;
  memset(&load, 0, sizeof(load));
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = reinterpret_cast<__u64>(insns);
  load.insn_cnt = count;
  load.license = reinterpret_cast<__u64>("Apache");
  UniqueFd prog(static_cast<int>(bpf(BPF_PROG_LOAD, &load)));
  if (!prog.ok()) {
    int err = errno;
    load.log_buf = reinterpret_cast<__u64>(log);
    load.log_size = sizeof(log);
    load.log_level = 1;
    UniqueFd again(static_cast<int>(bpf(BPF_PROG_LOAD, &load)));
    std::string text = failed("load device program", err);
    if (log[0]) text += " (verifier: " + std::string(log, strnlen(log, 200)) + ")";
    return text;
  }

  union bpf_attr at;
  memset(&at, 0, sizeof(at));
  at.target_fd = dir.get();
  at.attach_bpf_fd = prog.get();
  at.attach_type = BPF_CGROUP_DEVICE;
  at.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, &at) < 0) return failed("attach device program", errno);

  // Only the new program stays: detach the ones that were there before.
  for (__u32 id : old) {
    union bpf_attr get;
    memset(&get, 0, sizeof(get));
    get.prog_id = id;
    UniqueFd p(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, &get)));
    if (!p.ok()) continue;
    union bpf_attr de;
    memset(&de, 0, sizeof(de));
    de.target_fd = dir.get();
    de.attach_bpf_fd = p.get();
    de.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, &de) < 0) return failed("detach old device program", errno);
  }
  return "";
}

}  // namespace device_filter
