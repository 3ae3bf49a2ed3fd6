// Namespace primitives: names of CLONE_NEW* types, and joining a namespace
// by path after checking that it is of the type asked for.
#pragma once
#include <stdint.h>

namespace ns {

// "pid", "network", ... as the runtime-spec names them; "?" if unknown.
const char* type_name(uint32_t clone_flag);

// Opens `path` and checks (NS_GET_NSTYPE) that it is a `clone_flag`
// namespace. Returns the fd or -errno; *wrong_type is set to the type found
// when it is another namespace type (then -EINVAL).
int open_checked(const char* path, uint32_t clone_flag, uint32_t* wrong_type);

}  // namespace ns
