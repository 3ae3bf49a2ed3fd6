// Argument checks shared by the two N-API modules (addon.cc, addon_systemd.cc):
// a wrong argument is a TypeError naming it.
#pragma once

#include <napi.h>

#include <string>

namespace napi_args {

// info[i] as an int32; a TypeError when it is missing or not a number.
inline int int_arg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

}  // namespace napi_args
