#include "seccomp_enosys.h"

#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

namespace seccomp_enosys {

namespace {

constexpr uint32_t kNrOffset = offsetof(struct seccomp_data, nr);
constexpr uint32_t kArchOffset = offsetof(struct seccomp_data, arch);
// An x32 process's syscall numbers have this bit set; its arch is x86_64's.
constexpr uint32_t kX32Bit = 0x40000000;

// runc's rule: no stub when the default lets a syscall through (ALLOW, LOG,
// and TRACE, whose tracer should handle new syscalls itself). Nor when the
// default already is ENOSYS, where the stub changes nothing (runc 1.1.5 means
// to skip that case too but compares defaultErrnoRet with the whole action
// value, so it never does; the filter's answers are the same either way).
bool needs_stub(uint32_t default_action) {
  switch (default_action & SECCOMP_RET_ACTION_FULL) {
    case SCMP_ACT_ALLOW:
    case SCMP_ACT_LOG:
    case SCMP_ACT_TRACE(0): return false;
    default: return default_action != SCMP_ACT_ERRNO(ENOSYS);
  }
}

// The newest syscall the profile names, per architecture as the kernel
// reports it in seccomp_data.arch. x86_64 and x32 share one (x32 numbers
// carry kX32Bit), so each has its own maximum there.
struct Native {
  uint32_t audit_arch;
  uint32_t max;      // 0: none (for x86_64: no x86_64 syscalls named)
  uint32_t x32_max;  // 0: none
  bool s390;
};

// As runc: over the listed architectures only (not the native one libseccomp
// adds on its own), over every rule whatever its action (also those with the
// default action, which the filter leaves out), ignoring names an architecture
// does not have. An architecture whose newest named syscall is number 0 gets
// no check.
std::string last_syscalls(const seccomp_compile::Filter& f, std::vector<Native>* out) {
  std::vector<uint32_t> seen;
  for (const std::string& name : f.architectures) {
    uint32_t arch = seccomp_arch_resolve_name(name.c_str());
    if (arch == 0) return "unknown architecture " + name;
    bool again = false;
    for (uint32_t a : seen) again |= a == arch;
    if (again) continue;
    seen.push_back(arch);
    int max = 0;  // pseudo numbers (negative) and unknown names (__NR_SCMP_ERROR) stay below
    for (const seccomp_compile::Rule& r : f.rules) {
      int nr = seccomp_syscall_resolve_name_arch(arch, r.syscall.c_str());
      if (nr > max) max = nr;
    }
    if (max == 0) continue;
    uint32_t audit = arch == SCMP_ARCH_X32 ? static_cast<uint32_t>(AUDIT_ARCH_X86_64) : arch;
    Native* n = nullptr;
    for (Native& o : *out)
      if (o.audit_arch == audit) n = &o;
    if (!n) {
      out->push_back({audit, 0, 0, arch == SCMP_ARCH_S390 || arch == SCMP_ARCH_S390X});
      n = &out->back();
    }
    (arch == SCMP_ARCH_X32 ? n->x32_max : n->max) = static_cast<uint32_t>(max);
  }
  return "";
}

// Classic BPF with jumps to labels, resolved into relative offsets at the end.
class Program {
 public:
  static constexpr int kNext = -1;  // a jump target: the next instruction

  int label() {
    at_.push_back(-1);
    return static_cast<int>(at_.size()) - 1;
  }
  void place(int label) { at_[label] = static_cast<int>(insns_.size()); }
  void load(uint32_t offset) { insns_.push_back({BPF_LD | BPF_W | BPF_ABS, offset, kNext, kNext}); }
  void jump_if(uint16_t op, uint32_t k, int jt, int jf = kNext) {
    insns_.push_back({static_cast<uint16_t>(BPF_JMP | op | BPF_K), k, jt, jf});
  }
  void jump(int to) { insns_.push_back({BPF_JMP | BPF_JA, 0, to, kNext}); }
  void ret(uint32_t action) { insns_.push_back({BPF_RET | BPF_K, action, kNext, kNext}); }

  std::string assemble(std::vector<sock_filter>* out) const {
    for (size_t i = 0; i < insns_.size(); i++) {
      const Insn& in = insns_[i];
      int jt = offset(i, in.jt), jf = offset(i, in.jf);
      if (jt < 0 || jf < 0) return "the -ENOSYS stub: a jump to an unplaced label";
      if (in.code == (BPF_JMP | BPF_JA)) {
        out->push_back({in.code, 0, 0, static_cast<uint32_t>(jt)});
      } else {
        if (jt > 255 || jf > 255) return "the -ENOSYS stub: a conditional jump too long";
        out->push_back({in.code, static_cast<uint8_t>(jt), static_cast<uint8_t>(jf), in.k});
      }
    }
    return "";
  }

 private:
  struct Insn {
    uint16_t code;
    uint32_t k;
    int jt, jf;  // labels, or kNext
  };
  int offset(size_t from, int label) const {
    if (label == kNext) return 0;
    return at_[label] < 0 ? -1 : at_[label] - static_cast<int>(from) - 1;
  }
  std::vector<Insn> insns_;
  std::vector<int> at_;
};

// One architecture's check: jumps to `enosys` for a number above the newest
// named, else to `filter`.
void section(Program& p, const Native& n, int enosys, int filter) {
  p.load(kNrOffset);
  // s390(x): a number the kernel does not know arrives as 0 (setup(2), long
  // gone), the syscall that multiplexes large numbers.
  if (n.s390) p.jump_if(BPF_JEQ, 0, enosys);
  if (n.audit_arch == AUDIT_ARCH_X86_64 && n.max && n.x32_max) {
    int x32 = p.label();
    p.jump_if(BPF_JSET, kX32Bit, x32);
    p.jump_if(BPF_JGT, n.max, enosys, filter);
    p.place(x32);
    p.jump_if(BPF_JGT, n.x32_max, enosys);
  } else if (n.audit_arch == AUDIT_ARCH_X86_64 && n.x32_max) {
    p.jump_if(BPF_JSET, kX32Bit, Program::kNext, filter);  // an x86_64 call: not ours to check
    p.jump_if(BPF_JGT, n.x32_max, enosys);
  } else if (n.audit_arch == AUDIT_ARCH_X86_64) {
    p.jump_if(BPF_JSET, kX32Bit, filter);  // an x32 call: not ours to check
    p.jump_if(BPF_JGT, n.max, enosys);
  } else {
    p.jump_if(BPF_JGT, n.max, enosys);
  }
  p.jump(filter);
}

}  // namespace

std::string stub(const seccomp_compile::Filter& f, std::vector<sock_filter>* out) {
  out->clear();
  if (!needs_stub(f.default_action)) return "";
  std::vector<Native> natives;
  std::string err = last_syscalls(f, &natives);
  if (!err.empty() || natives.empty()) return err;

  // load arch; one jeq per architecture to its section; others go to the
  // filter; the sections; ret ENOSYS; then libseccomp's program, which loads
  // what it needs itself.
  Program p;
  int filter = p.label(), enosys = p.label();
  std::vector<int> sections;
  p.load(kArchOffset);
  for (const Native& n : natives) {
    sections.push_back(p.label());
    p.jump_if(BPF_JEQ, n.audit_arch, sections.back());
  }
  p.jump(filter);
  for (size_t i = 0; i < natives.size(); i++) {
    p.place(sections[i]);
    section(p, natives[i], enosys, filter);
  }
  p.place(enosys);
  p.ret(SCMP_ACT_ERRNO(ENOSYS));
  p.place(filter);
  return p.assemble(out);
}

}  // namespace seccomp_enosys
