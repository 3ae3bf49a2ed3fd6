#include "seccomp_compile.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/fd.h"
#include "seccomp_enosys.h"

namespace seccomp_compile {

namespace {

struct Ctx {
  scmp_filter_ctx ctx;
  ~Ctx() {
    if (ctx) seccomp_release(ctx);
  }
};

std::string add_rule(scmp_filter_ctx ctx, const Rule& r, int nr) {
  std::vector<scmp_arg_cmp> cmps;
  for (const Arg& a : r.args) {
    scmp_arg_cmp c;
    c.arg = a.index;
    c.op = static_cast<scmp_compare>(a.op);
    c.datum_a = a.value;
    c.datum_b = a.value_two;
    cmps.push_back(c);
  }
  // libseccomp takes one condition per argument in a rule; runc adds a rule
  // per condition when an argument is compared more than once.
  bool repeated = false;
  for (size_t i = 0; i < cmps.size(); i++)
    for (size_t j = i + 1; j < cmps.size(); j++)
      if (cmps[i].arg == cmps[j].arg) repeated = true;
  int rc = 0;
  if (!repeated) {
    rc = seccomp_rule_add_array(ctx, r.action, nr, cmps.size(), cmps.data());
  } else {
    for (const scmp_arg_cmp& c : cmps) {
      rc = seccomp_rule_add_array(ctx, r.action, nr, 1, &c);
      if (rc < 0) break;
    }
  }
  if (rc < 0) return "syscall " + r.syscall + ": " + strerror(-rc);
  return "";
}

}  // namespace

std::string compile(const Filter& f, std::vector<unsigned char>* bpf) {
  Ctx c{seccomp_init(f.default_action)};
  if (!c.ctx) return "invalid default action";
  for (const std::string& name : f.architectures) {
    uint32_t arch = seccomp_arch_resolve_name(name.c_str());
    if (arch == 0) return "unknown architecture " + name;
    int rc = seccomp_arch_add(c.ctx, arch);
    if (rc < 0 && rc != -EEXIST) return "architecture " + name + ": " + strerror(-rc);
  }
  for (const Rule& r : f.rules) {
    // As runc: a rule with the default action is redundant, and a syscall
    // this libseccomp does not know is skipped.
    if (r.action == f.default_action) continue;
    int nr = seccomp_syscall_resolve_name(r.syscall.c_str());
    if (nr == __NR_SCMP_ERROR) continue;
    std::string err = add_rule(c.ctx, r, nr);
    if (!err.empty()) return err;
  }
  std::vector<sock_filter> stub;
  std::string err = seccomp_enosys::stub(f, &stub);
  if (!err.empty()) return err;
  UniqueFd mem(static_cast<int>(syscall(SYS_memfd_create, "minirun-seccomp", MFD_CLOEXEC)));
  if (!mem.ok()) return std::string("memfd_create: ") + strerror(errno);
  int rc = seccomp_export_bpf(c.ctx, mem.get());
  if (rc < 0) return std::string("export the filter: ") + strerror(-rc);
  struct stat st;
  if (fstat(mem.get(), &st) < 0) return std::string("fstat: ") + strerror(errno);
  // The stub goes first. Its jumps land inside it or on the instruction just
  // after it, and BPF jumps are relative, so neither part needs adjusting.
  size_t head = stub.size() * sizeof(sock_filter);
  bpf->resize(head + st.st_size);
  memcpy(bpf->data(), stub.data(), head);
  if (pread(mem.get(), bpf->data() + head, st.st_size, 0) != st.st_size) return "read the exported filter";
  return "";
}

std::string library_version() {
  const struct scmp_version* v = seccomp_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

}  // namespace seccomp_compile
