// The systemd cgroup driver's D-Bus calls (org.freedesktop.systemd1.Manager),
// through libsystemd's sd-bus: as root, the system bus, or systemd's private
// socket (/run/systemd/private) when no bus daemon answers, as runc does.
// One connection a process, made at the first call.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sdbus {

// A unit property's value, of one D-Bus type: b y n q i u x t d s as au at ay a(ss).
struct Value {
  std::string sig;
  bool b = false;
  int64_t i = 0;   // y n i x (and q u as their unsigned values)
  uint64_t u = 0;  // t (and q u)
  double d = 0;
  std::string s;
  std::vector<std::string> strs;
  std::vector<uint64_t> nums;  // au at
  std::vector<uint8_t> bytes;  // ay
  std::vector<std::pair<std::string, std::string>> pairs;
};

struct Property {
  std::string name;
  Value value;
};

// The one error form: the call and its object, the D-Bus error name (empty
// for a local failure) and message, and an errno.
struct Error {
  std::string what;
  std::string name;
  std::string message;
  int err = 0;
  bool failed() const { return !what.empty(); }
};

// The bus the calls below use from now on: a D-Bus address (the user's
// systemd, as runc's rootless driver), or "" for the system's.
void use_address(const std::string& address);
// StartTransientUnit(name, "replace", props, []), then waits (up to
// timeout_sec) for its job: `result` is the job's result ("done" when it
// worked). A unit that already exists is not an error (result "exists").
Error start_transient_unit(const std::string& name, const std::vector<Property>& props, int timeout_sec,
                           std::string& result);
// StopUnit(name, "replace") and waits for its job; a unit that is not loaded is result "nounit".
Error stop_unit(const std::string& name, int timeout_sec, std::string& result);
// ResetFailedUnit(name); a unit that is not loaded is not an error.
Error reset_failed_unit(const std::string& name);
// SetUnitProperties(name, runtime, props).
Error set_unit_properties(const std::string& name, bool runtime, const std::vector<Property>& props);
// A property of a unit (by its name, on interface iface, e.g. org.freedesktop.systemd1.Scope),
// or of the manager when unit is empty.
Error get_property(const std::string& unit, const std::string& iface, const std::string& prop, Value& out);

}  // namespace sdbus
