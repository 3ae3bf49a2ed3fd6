// The N-API surface of the systemd cgroup driver (systemd_bus.h), in a
// module of its own, minirun-systemd.node: only it links libsystemd, whose
// loading (with libgcrypt, liblzma, libzstd, liblz4, libcap: ~1.2 ms) every
// command that loads minirun.node paid, though only --systemd-cgroup calls
// it. src/native/loader.ts loads it at the first of these calls; typed with
// the rest in src/native/addon.d.ts.
#define NAPI_VERSION 8
#include <napi.h>

#include <string>
#include <utility>
#include <vector>

#include "napi_args.h"
#include "systemd_bus.h"

namespace {

using napi_args::int_arg;

// The systemd driver's D-Bus calls (systemd_bus.h). A property is
// { name, sig, value }: value a boolean (b), a number (y n q i u d), a bigint
// or number (x t), a string (s), an array of strings (as), of numbers or
// bigints (au at), a Buffer (ay), or of [path, perms] pairs (a(ss)).
// Every failure is one Error: "<call> <unit>: <D-Bus error name>: <message>",
// with .dbusName and .errno.
Napi::Error bus_error(Napi::Env env, const sdbus::Error& e) {
  Napi::Error err = Napi::Error::New(env, e.what + ": " + (e.name.empty() ? "" : e.name + ": ") + e.message);
  err.Set("dbusName", Napi::String::New(env, e.name));
  err.Set("errno", Napi::Number::New(env, e.err));
  return err;
}

uint64_t u64_of(Napi::Env env, Napi::Value v, const std::string& what) {
  if (v.IsBigInt()) {
    bool lossless = true;
    uint64_t u = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw Napi::TypeError::New(env, what + ": out of range");
    return u;
  }
  if (v.IsNumber()) return static_cast<uint64_t>(v.As<Napi::Number>().Int64Value());
  throw Napi::TypeError::New(env, what + ": must be a number or bigint");
}

std::vector<sdbus::Property> props_arg(Napi::Env env, Napi::Value arg) {
  if (!arg.IsArray()) throw Napi::TypeError::New(env, "properties: must be an array");
  Napi::Array a = arg.As<Napi::Array>();
  std::vector<sdbus::Property> out;
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Object o = a.Get(k).As<Napi::Object>();
    sdbus::Property p;
    p.name = o.Get("name").As<Napi::String>();
    sdbus::Value& v = p.value;
    v.sig = o.Get("sig").As<Napi::String>();
    Napi::Value val = o.Get("value");
    const std::string what = "property " + p.name;
    if (v.sig == "b") {
      v.b = val.ToBoolean();
    } else if (v.sig == "y" || v.sig == "q" || v.sig == "u" || v.sig == "t") {
      v.u = u64_of(env, val, what);
    } else if (v.sig == "n" || v.sig == "i" || v.sig == "x") {
      v.i = val.IsBigInt() ? val.As<Napi::BigInt>().Int64Value(nullptr) : val.As<Napi::Number>().Int64Value();
    } else if (v.sig == "d") {
      v.d = val.As<Napi::Number>().DoubleValue();
    } else if (v.sig == "s") {
      v.s = val.As<Napi::String>();
    } else if (v.sig == "ay") {
      Napi::Buffer<uint8_t> b = val.As<Napi::Buffer<uint8_t>>();
      v.bytes.assign(b.Data(), b.Data() + b.Length());
    } else if (v.sig == "as" || v.sig == "au" || v.sig == "at" || v.sig == "a(ss)") {
      Napi::Array items = val.As<Napi::Array>();
      for (uint32_t j = 0; j < items.Length(); j++) {
        Napi::Value item = items.Get(j);
        if (v.sig == "as") {
          v.strs.push_back(item.As<Napi::String>());
        } else if (v.sig == "a(ss)") {
          Napi::Array pair = item.As<Napi::Array>();
          v.pairs.emplace_back(pair.Get(0u).As<Napi::String>(), pair.Get(1u).As<Napi::String>());
        } else {
          v.nums.push_back(u64_of(env, item, what));
        }
      }
    } else {
      throw Napi::TypeError::New(env, what + ": unsupported D-Bus type " + v.sig);
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string string_arg(const Napi::CallbackInfo& info, size_t i, const char* usage) {
  if (info.Length() <= i || !info[i].IsString()) throw Napi::TypeError::New(info.Env(), usage);
  return info[i].As<Napi::String>();
}

// startTransientUnit(name, properties, timeoutSec) -> the job's result ("done", "exists", ...)
Napi::Value StartTransientUnit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "startTransientUnit(name, properties, timeoutSec)";
  std::string name = string_arg(info, 0, usage);
  if (info.Length() < 2) throw Napi::TypeError::New(env, usage);
  std::vector<sdbus::Property> props = props_arg(env, info[1]);
  std::string result;
  sdbus::Error e = sdbus::start_transient_unit(name, props, int_arg(info, 2), result);
  if (e.failed()) throw bus_error(env, e);
  return Napi::String::New(env, result);
}

// stopUnit(name, timeoutSec) -> the job's result ("done", "nounit", ...)
Napi::Value StopUnit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = string_arg(info, 0, "stopUnit(name, timeoutSec)");
  std::string result;
  sdbus::Error e = sdbus::stop_unit(name, int_arg(info, 1), result);
  if (e.failed()) throw bus_error(env, e);
  return Napi::String::New(env, result);
}

// resetFailedUnit(name)
Napi::Value ResetFailedUnit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sdbus::Error e = sdbus::reset_failed_unit(string_arg(info, 0, "resetFailedUnit(name)"));
  if (e.failed()) throw bus_error(env, e);
  return env.Undefined();
}

// setUnitProperties(name, runtime, properties)
Napi::Value SetUnitProperties(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "setUnitProperties(name, runtime, properties)";
  std::string name = string_arg(info, 0, usage);
  if (info.Length() < 3) throw Napi::TypeError::New(env, usage);
  std::vector<sdbus::Property> props = props_arg(env, info[2]);
  sdbus::Error e = sdbus::set_unit_properties(name, info[1].ToBoolean(), props);
  if (e.failed()) throw bus_error(env, e);
  return env.Undefined();
}

// useSystemdBus(address ('' for the system bus)): the bus of the calls above
Napi::Value UseSystemdBus(const Napi::CallbackInfo& info) {
  sdbus::use_address(string_arg(info, 0, "useSystemdBus(address)"));
  return info.Env().Undefined();
}

// getUnitProperty(unit ('' for the manager), iface, name) -> the value, typed as props_arg takes them
Napi::Value GetUnitProperty(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "getUnitProperty(unit, iface, name)";
  sdbus::Value v;
  sdbus::Error e =
      sdbus::get_property(string_arg(info, 0, usage), string_arg(info, 1, usage), string_arg(info, 2, usage), v);
  if (e.failed()) throw bus_error(env, e);
  if (v.sig == "b") return Napi::Boolean::New(env, v.b);
  if (v.sig == "s" || v.sig == "o") return Napi::String::New(env, v.s);
  if (v.sig == "t" || v.sig == "u") return Napi::BigInt::New(env, v.u);
  if (v.sig == "x" || v.sig == "i") return Napi::BigInt::New(env, v.i);
  if (v.sig == "ay") return Napi::Buffer<uint8_t>::Copy(env, v.bytes.data(), v.bytes.size());
  Napi::Array a = Napi::Array::New(env);
  uint32_t k = 0;
  for (const auto& s : v.strs) a.Set(k++, Napi::String::New(env, s));
  for (const auto& p : v.pairs) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::String::New(env, p.first));
    pair.Set(1u, Napi::String::New(env, p.second));
    a.Set(k++, pair);
  }
  return a;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("useSystemdBus", Napi::Function::New(env, UseSystemdBus));
  exports.Set("startTransientUnit", Napi::Function::New(env, StartTransientUnit));
  exports.Set("stopUnit", Napi::Function::New(env, StopUnit));
  exports.Set("resetFailedUnit", Napi::Function::New(env, ResetFailedUnit));
  exports.Set("setUnitProperties", Napi::Function::New(env, SetUnitProperties));
  exports.Set("getUnitProperty", Napi::Function::New(env, GetUnitProperty));
  return exports;
}

}  // namespace

NODE_API_MODULE(minirun_systemd, Init)
