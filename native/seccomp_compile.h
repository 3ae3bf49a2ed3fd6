// Compiling a seccomp filter to BPF with libseccomp, in the parent (the
// helper only loads the result). Used by the addon.
#pragma once
#include <stdint.h>

#include <string>
#include <vector>

namespace seccomp_compile {

struct Arg {
  uint32_t index;
  uint32_t op;  // SCMP_CMP_*
  uint64_t value;
  uint64_t value_two;
};

struct Rule {
  std::string syscall;
  uint32_t action;  // SCMP_ACT_* with the errno folded in
  std::vector<Arg> args;
};

struct Filter {
  uint32_t default_action;
  std::vector<std::string> architectures;  // libseccomp names: "x86_64", "x86", ...
  std::vector<Rule> rules;
};

// Returns "" and fills *bpf, or a one-line reason naming what failed. The
// program is runc's -ENOSYS stub (seccomp_enosys.h), if any, then libseccomp's.
std::string compile(const Filter& f, std::vector<unsigned char>* bpf);

// The linked libseccomp's version, "major.minor.micro" (seccomp_version()).
std::string library_version();

}  // namespace seccomp_compile
