// See systemd_bus.h.
#include "systemd_bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

namespace sdbus {
namespace {

constexpr const char* kDest = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";

sd_bus* g_bus = nullptr;
std::string g_address;  // the user's bus (use_address), or empty for the system's

Error local(const std::string& what, int r) { return Error{what, "", strerror(-r), -r}; }

Error remote(const std::string& what, const sd_bus_error& e, int r) {
  return Error{what, e.name ? e.name : "", e.message ? e.message : strerror(-r), -r};
}

// As go-systemd's NewWithContext, which runc uses: the system bus; as root,
// systemd's private socket when that fails. Subscribe() so that JobRemoved
// signals are sent to this connection.
Error connect() {
  if (g_bus) return {};
  sd_bus* bus = nullptr;
  int r;
  if (!g_address.empty()) {
    // As runc's newUserSystemdDbus: dial the address, EXTERNAL auth as our uid, Hello.
    r = sd_bus_new(&bus);
    if (r >= 0) r = sd_bus_set_address(bus, g_address.c_str());
    if (r >= 0) r = sd_bus_set_bus_client(bus, 1);
    if (r >= 0) r = sd_bus_start(bus);
    if (r >= 0)
      r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId",
                             nullptr, nullptr, "");
    if (r < 0) {
      sd_bus_flush_close_unref(bus);
      return local("error while dialing \"" + g_address + "\"", r);
    }
  } else {
    r = sd_bus_open_system(&bus);
    if (r >= 0) {
      // sd_bus_open_system connects lazily: make sure someone answers.
      r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId",
                             nullptr, nullptr, "");
      if (r < 0) bus = sd_bus_flush_close_unref(bus);
    }
    if (r < 0 && geteuid() == 0) {
      r = sd_bus_new(&bus);
      if (r >= 0) r = sd_bus_set_address(bus, "unix:path=/run/systemd/private");
      if (r >= 0) r = sd_bus_start(bus);
      if (r < 0) bus = sd_bus_flush_close_unref(bus);
    }
  }
  if (r < 0) return local("connect to the system bus (and /run/systemd/private)", r);
  sd_bus_error e = SD_BUS_ERROR_NULL;
  r = sd_bus_call_method(bus, kDest, kPath, kManager, "Subscribe", &e, nullptr, "");
  // Already subscribed is fine; anything else is reported when a job is waited for.
  sd_bus_error_free(&e);
  g_bus = bus;
  return {};
}

int append_value(sd_bus_message* m, const Value& v) {
  const std::string& s = v.sig;
  int r;
  if (s == "b") return sd_bus_message_append(m, "v", "b", v.b ? 1 : 0);
  if (s == "y") return sd_bus_message_append(m, "v", "y", static_cast<uint8_t>(v.u));
  if (s == "n") return sd_bus_message_append(m, "v", "n", static_cast<int16_t>(v.i));
  if (s == "q") return sd_bus_message_append(m, "v", "q", static_cast<uint16_t>(v.u));
  if (s == "i") return sd_bus_message_append(m, "v", "i", static_cast<int32_t>(v.i));
  if (s == "u") return sd_bus_message_append(m, "v", "u", static_cast<uint32_t>(v.u));
  if (s == "x") return sd_bus_message_append(m, "v", "x", v.i);
  if (s == "t") return sd_bus_message_append(m, "v", "t", v.u);
  if (s == "d") return sd_bus_message_append(m, "v", "d", v.d);
  if (s == "s") return sd_bus_message_append(m, "v", "s", v.s.c_str());
  if (s == "ay") {
    if ((r = sd_bus_message_open_container(m, 'v', "ay")) < 0) return r;
    if ((r = sd_bus_message_append_array(m, 'y', v.bytes.data(), v.bytes.size())) < 0) return r;
    return sd_bus_message_close_container(m);
  }
  if (s == "as" || s == "au" || s == "at" || s == "a(ss)") {
    if ((r = sd_bus_message_open_container(m, 'v', s.c_str())) < 0) return r;
    if ((r = sd_bus_message_open_container(m, 'a', s.c_str() + 1)) < 0) return r;
    if (s == "as") {
      for (const auto& x : v.strs)
        if ((r = sd_bus_message_append(m, "s", x.c_str())) < 0) return r;
    } else if (s == "au") {
      for (auto x : v.nums)
        if ((r = sd_bus_message_append(m, "u", static_cast<uint32_t>(x))) < 0) return r;
    } else if (s == "at") {
      for (auto x : v.nums)
        if ((r = sd_bus_message_append(m, "t", x)) < 0) return r;
    } else {
      for (const auto& p : v.pairs)
        if ((r = sd_bus_message_append(m, "(ss)", p.first.c_str(), p.second.c_str())) < 0) return r;
    }
    if ((r = sd_bus_message_close_container(m)) < 0) return r;
    return sd_bus_message_close_container(m);
  }
  return -EINVAL;
}

// a(sv): the properties.
int append_props(sd_bus_message* m, const std::vector<Property>& props, std::string& bad) {
  int r = sd_bus_message_open_container(m, 'a', "(sv)");
  if (r < 0) return r;
  for (const auto& p : props) {
    if ((r = sd_bus_message_open_container(m, 'r', "sv")) < 0) return r;
    if ((r = sd_bus_message_append(m, "s", p.name.c_str())) < 0) return r;
    if ((r = append_value(m, p.value)) < 0) {
      bad = p.name + " (" + p.value.sig + ")";
      return r;
    }
    if ((r = sd_bus_message_close_container(m)) < 0) return r;
  }
  return sd_bus_message_close_container(m);
}

struct JobWait {
  std::string path;
  std::string result;
  bool done = false;
};

int on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* w = static_cast<JobWait*>(userdata);
  uint32_t id;
  const char *path, *unit, *result;
  if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0) return 0;
  if (!w->path.empty() && w->path == path) {
    w->result = result;
    w->done = true;
  }
  return 0;
}

uint64_t now_usec() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

// Calls a Manager method that queues a job (its reply is the job's object
// path), then waits for that job's JobRemoved signal. The match is in place
// before the call, so a job that ends at once is not missed.
Error call_and_wait(const std::string& what, sd_bus_message* call, int timeout_sec, std::string& result) {
  JobWait w;
  sd_bus_slot* slot = nullptr;
  int r = sd_bus_match_signal(g_bus, &slot, kDest, kPath, kManager, "JobRemoved", on_job_removed, &w);
  if (r < 0) return local(what + ": match JobRemoved", r);
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  r = sd_bus_call(g_bus, call, 0, &e, &reply);
  if (r < 0) {
    Error err = remote(what, e, r);
    sd_bus_error_free(&e);
    sd_bus_slot_unref(slot);
    return err;
  }
  const char* job = nullptr;
  r = sd_bus_message_read(reply, "o", &job);
  if (r < 0) {
    sd_bus_message_unref(reply);
    sd_bus_slot_unref(slot);
    return local(what + ": read the job", r);
  }
  w.path = job;
  sd_bus_message_unref(reply);
  uint64_t deadline = now_usec() + static_cast<uint64_t>(timeout_sec) * 1000000;
  Error err;
  while (!w.done) {
    r = sd_bus_process(g_bus, nullptr);
    if (r < 0) {
      err = local(what + ": wait for job " + w.path, r);
      break;
    }
    if (r > 0) continue;
    uint64_t now = now_usec();
    if (now >= deadline) {
      err = Error{what, "", "timed out waiting for job " + w.path, ETIMEDOUT};
      break;
    }
    r = sd_bus_wait(g_bus, deadline - now);
    if (r < 0) {
      err = local(what + ": wait for job " + w.path, r);
      break;
    }
  }
  sd_bus_slot_unref(slot);
  if (!err.failed()) result = w.result;
  return err;
}

bool is(const Error& e, const char* name) { return e.name == name; }

}  // namespace

Error start_transient_unit(const std::string& name, const std::vector<Property>& props, int timeout_sec,
                           std::string& result) {
  const std::string what = "StartTransientUnit " + name;
  if (Error e = connect(); e.failed()) return e;
  sd_bus_message* m = nullptr;
  int r = sd_bus_message_new_method_call(g_bus, &m, kDest, kPath, kManager, "StartTransientUnit");
  if (r >= 0) r = sd_bus_message_append(m, "ss", name.c_str(), "replace");
  std::string bad;
  if (r >= 0) r = append_props(m, props, bad);
  if (r >= 0) r = sd_bus_message_append(m, "a(sa(sv))", 0);
  if (r < 0) {
    sd_bus_message_unref(m);
    return local(what + (bad.empty() ? "" : ": property " + bad), r);
  }
  Error e = call_and_wait(what, m, timeout_sec, result);
  sd_bus_message_unref(m);
  if (is(e, "org.freedesktop.systemd1.UnitExists")) {
    result = "exists";
    return {};
  }
  return e;
}

Error stop_unit(const std::string& name, int timeout_sec, std::string& result) {
  const std::string what = "StopUnit " + name;
  if (Error e = connect(); e.failed()) return e;
  sd_bus_message* m = nullptr;
  int r = sd_bus_message_new_method_call(g_bus, &m, kDest, kPath, kManager, "StopUnit");
  if (r >= 0) r = sd_bus_message_append(m, "ss", name.c_str(), "replace");
  if (r < 0) {
    sd_bus_message_unref(m);
    return local(what, r);
  }
  Error e = call_and_wait(what, m, timeout_sec, result);
  sd_bus_message_unref(m);
  if (is(e, "org.freedesktop.systemd1.NoSuchUnit")) {
    result = "nounit";
    return {};
  }
  return e;
}

Error reset_failed_unit(const std::string& name) {
  const std::string what = "ResetFailedUnit " + name;
  if (Error e = connect(); e.failed()) return e;
  sd_bus_error be = SD_BUS_ERROR_NULL;
  int r = sd_bus_call_method(g_bus, kDest, kPath, kManager, "ResetFailedUnit", &be, nullptr, "s", name.c_str());
  Error e = r < 0 ? remote(what, be, r) : Error{};
  sd_bus_error_free(&be);
  if (is(e, "org.freedesktop.systemd1.NoSuchUnit")) return {};
  return e;
}

Error set_unit_properties(const std::string& name, bool runtime, const std::vector<Property>& props) {
  const std::string what = "SetUnitProperties " + name;
  if (Error e = connect(); e.failed()) return e;
  sd_bus_message* m = nullptr;
  int r = sd_bus_message_new_method_call(g_bus, &m, kDest, kPath, kManager, "SetUnitProperties");
  if (r >= 0) r = sd_bus_message_append(m, "sb", name.c_str(), runtime ? 1 : 0);
  std::string bad;
  if (r >= 0) r = append_props(m, props, bad);
  if (r < 0) {
    sd_bus_message_unref(m);
    return local(what + (bad.empty() ? "" : ": property " + bad), r);
  }
  sd_bus_error be = SD_BUS_ERROR_NULL;
  r = sd_bus_call(g_bus, m, 0, &be, nullptr);
  Error e = r < 0 ? remote(what, be, r) : Error{};
  sd_bus_error_free(&be);
  sd_bus_message_unref(m);
  return e;
}

Error get_property(const std::string& unit, const std::string& iface, const std::string& prop, Value& out) {
  const std::string what = "Get " + (unit.empty() ? std::string("manager") : unit) + " " + prop;
  if (Error e = connect(); e.failed()) return e;
  sd_bus_error be = SD_BUS_ERROR_NULL;
  std::string path = kPath;
  if (!unit.empty()) {
    sd_bus_message* reply = nullptr;
    int r = sd_bus_call_method(g_bus, kDest, kPath, kManager, "GetUnit", &be, &reply, "s", unit.c_str());
    if (r < 0) {
      Error e = remote(what, be, r);
      sd_bus_error_free(&be);
      return e;
    }
    const char* p = nullptr;
    r = sd_bus_message_read(reply, "o", &p);
    if (r >= 0) path = p;
    sd_bus_message_unref(reply);
    if (r < 0) return local(what, r);
  }
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(g_bus, kDest, path.c_str(), "org.freedesktop.DBus.Properties", "Get", &be, &reply, "ss",
                             iface.c_str(), prop.c_str());
  if (r < 0) {
    Error e = remote(what, be, r);
    sd_bus_error_free(&be);
    return e;
  }
  char type;
  const char* contents = nullptr;
  r = sd_bus_message_peek_type(reply, &type, &contents);
  if (r >= 0) r = sd_bus_message_enter_container(reply, 'v', contents);
  if (r >= 0) {
    out.sig = contents;
    const std::string& s = out.sig;
    if (s == "b") {
      int b;
      r = sd_bus_message_read(reply, "b", &b);
      out.b = b;
    } else if (s == "s" || s == "o") {
      const char* str;
      r = sd_bus_message_read(reply, s.c_str(), &str);
      if (r >= 0) out.s = str;
    } else if (s == "t") {
      r = sd_bus_message_read(reply, "t", &out.u);
    } else if (s == "x") {
      r = sd_bus_message_read(reply, "x", &out.i);
    } else if (s == "u") {
      uint32_t u;
      r = sd_bus_message_read(reply, "u", &u);
      out.u = u;
    } else if (s == "i") {
      int32_t i;
      r = sd_bus_message_read(reply, "i", &i);
      out.i = i;
    } else if (s == "ay") {
      const void* p;
      size_t n;
      r = sd_bus_message_read_array(reply, 'y', &p, &n);
      if (r >= 0) out.bytes.assign(static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
    } else if (s == "as") {
      char** strv = nullptr;
      r = sd_bus_message_read_strv(reply, &strv);
      for (char** q = strv; q && *q; q++) {
        out.strs.emplace_back(*q);
        free(*q);
      }
      free(strv);
    } else if (s == "a(ss)") {
      r = sd_bus_message_enter_container(reply, 'a', "(ss)");
      const char *a, *b;
      while (r >= 0 && (r = sd_bus_message_read(reply, "(ss)", &a, &b)) > 0) out.pairs.emplace_back(a, b);
      if (r >= 0) r = sd_bus_message_exit_container(reply);
    } else {
      r = -EOPNOTSUPP;
    }
  }
  sd_bus_message_unref(reply);
  if (r < 0) return local(what + " (type " + out.sig + ")", r);
  return {};
}

void use_address(const std::string& address) {
  if (g_bus && address != g_address) g_bus = sd_bus_flush_close_unref(g_bus);
  g_address = address;
}

}  // namespace sdbus
