// plan-dump: decodes a launch plan's TLV records (what src/native/protocol.ts
// encodePlan writes; no PlanHeader) from stdin with the init helper's own
// decoder (native/init/plan.cc), and prints the decoded Plan as JSON, every
// field under its C++ name. 64-bit numbers are strings (JSON numbers lose
// precision past 2^53); byte arrays are hex. A plan the decoder refuses:
// its message on stderr, exit 1. test/unit/protocol-roundtrip.test.ts uses it.
//
// usage: plan-dump < records
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "../../native/init/plan.h"

namespace {

class Json {
 public:
  void key(const char* k) {
    comma();
    quoted(k);
    out_ += ':';
    fresh_ = true;
  }
  void str(const std::string& s) {
    comma();
    quoted(s);
  }
  void num(long long v) {
    comma();
    out_ += std::to_string(v);
  }
  void boolean(bool v) {
    comma();
    out_ += v ? "true" : "false";
  }
  void u64(uint64_t v) { str(std::to_string(v)); }
  void i64(int64_t v) { str(std::to_string(v)); }
  void bytes(const void* p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string h;
    for (size_t i = 0; i < n; i++) {
      unsigned char c = static_cast<const unsigned char*>(p)[i];
      h += digits[c >> 4];
      h += digits[c & 15];
    }
    str(h);
  }
  void open(char c) {
    comma();
    out_ += c;
    fresh_ = true;
  }
  void close(char c) {
    out_ += c;
    fresh_ = false;
  }
  const std::string& text() const { return out_; }

 private:
  void comma() {
    if (!fresh_) out_ += ',';
    fresh_ = false;
  }
  void quoted(const std::string& s) {
    out_ += '"';
    for (unsigned char c : s) {
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += static_cast<char>(c);
      } else if (c < 0x20) {
        char b[8];
        snprintf(b, sizeof(b), "\\u%04x", c);
        out_ += b;
      } else {
        out_ += static_cast<char>(c);  // UTF-8 passes through
      }
    }
    out_ += '"';
  }
  std::string out_;
  bool fresh_ = true;
};

void strings(Json& j, const char* k, const std::vector<std::string>& v) {
  j.key(k);
  j.open('[');
  for (const auto& s : v) j.str(s);
  j.close(']');
}

void pairs(Json& j, const char* k, const std::vector<std::pair<std::string, std::string>>& v) {
  j.key(k);
  j.open('[');
  for (const auto& p : v) {
    j.open('[');
    j.str(p.first);
    j.str(p.second);
    j.close(']');
  }
  j.close(']');
}

void id_maps(Json& j, const char* k, const std::vector<proto::IdMapRecord>& v) {
  j.key(k);
  j.open('[');
  for (const auto& m : v) {
    j.open('{');
    j.key("container_id"); j.num(m.container_id);
    j.key("host_id"); j.num(m.host_id);
    j.key("size"); j.num(m.size);
    j.close('}');
  }
  j.close(']');
}

void mount(Json& j, const PlanMount& m) {
  j.open('{');
  j.key("kind"); j.num(m.rec.kind);
  j.key("index"); j.num(m.rec.index);
  j.key("flags"); j.u64(m.rec.flags);
  j.key("propagation");
  j.open('[');
  for (uint64_t p : m.rec.propagation) j.u64(p);
  j.close(']');
  j.key("source"); j.str(m.source);
  j.key("destination"); j.str(m.destination);
  j.key("fstype"); j.str(m.fstype);
  j.key("data"); j.str(m.data);
  j.key("has_attr"); j.boolean(m.has_attr);
  j.key("attr");
  j.open('{');
  j.key("attr_set"); j.u64(m.attr.attr_set);
  j.key("attr_clr"); j.u64(m.attr.attr_clr);
  j.close('}');
  j.key("idmap"); j.boolean(m.idmap);
  j.key("idmap_flags"); j.num(m.idmap_flags);
  id_maps(j, "uid_maps", m.uid_maps);
  id_maps(j, "gid_maps", m.gid_maps);
  j.close('}');
}

void device(Json& j, const PlanDevice& d) {
  j.open('{');
  j.key("type"); j.num(d.rec.type);
  j.key("major"); j.num(d.rec.major);
  j.key("minor"); j.num(d.rec.minor);
  j.key("mode"); j.num(d.rec.mode);
  j.key("uid"); j.num(d.rec.uid);
  j.key("gid"); j.num(d.rec.gid);
  j.key("path"); j.str(d.path);
  j.close('}');
}

std::string dump(const Plan& p) {
  Json j;
  j.open('{');
  j.key("rootfs"); j.str(p.rootfs);
  j.key("rootfs_propagation"); j.u64(p.rootfs_propagation);
  j.key("root_readonly"); j.boolean(p.root_readonly);
  j.key("no_pivot"); j.boolean(p.no_pivot);
  j.key("clone_flags"); j.u64(p.clone_flags);
  j.key("joins");
  j.open('[');
  for (const auto& x : p.joins) {
    j.open('{');
    j.key("type"); j.num(x.type);
    j.key("path"); j.str(x.path);
    j.close('}');
  }
  j.close(']');
  j.key("has_hostname"); j.boolean(p.has_hostname);
  j.key("hostname"); j.str(p.hostname);
  j.key("has_domainname"); j.boolean(p.has_domainname);
  j.key("domainname"); j.str(p.domainname);
  j.key("mounts");
  j.open('[');
  for (const auto& m : p.mounts) mount(j, m);
  j.close(']');
  j.key("devices");
  j.open('[');
  for (const auto& d : p.devices) device(j, d);
  j.close(']');
  strings(j, "masked", p.masked);
  strings(j, "readonly", p.readonly);
  pairs(j, "sysctl", p.sysctl);
  pairs(j, "symlinks", p.symlinks);
  j.key("has_user"); j.boolean(p.has_user);
  j.key("user");
  j.open('{');
  j.key("uid"); j.num(p.user.uid);
  j.key("gid"); j.num(p.user.gid);
  j.key("umask"); j.num(p.user.umask);
  j.key("has_umask"); j.num(p.user.has_umask);
  j.close('}');
  j.key("additional_gids");
  j.open('[');
  for (uint32_t g : p.additional_gids) j.num(g);
  j.close(']');
  j.key("has_caps"); j.boolean(p.has_caps);
  j.key("caps");
  j.open('{');
  j.key("bounding"); j.u64(p.caps.bounding);
  j.key("effective"); j.u64(p.caps.effective);
  j.key("permitted"); j.u64(p.caps.permitted);
  j.key("inheritable"); j.u64(p.caps.inheritable);
  j.key("ambient"); j.u64(p.caps.ambient);
  j.close('}');
  j.key("no_new_privs"); j.boolean(p.no_new_privs);
  j.key("has_oom_score_adj"); j.boolean(p.has_oom_score_adj);
  j.key("oom_score_adj"); j.num(p.oom_score_adj);
  j.key("cwd"); j.str(p.cwd);
  strings(j, "env", p.env);
  strings(j, "args", p.args);
  j.key("setup_dev"); j.boolean(p.setup_dev);
  j.key("exec_fifo"); j.str(p.exec_fifo);
  j.key("seccomp_bpf"); j.bytes(p.seccomp_bpf.data(), p.seccomp_bpf.size());
  j.key("mkdirs");
  j.open('[');
  for (const auto& d : p.mkdirs) {
    j.open('{');
    j.key("mode"); j.num(d.mode);
    j.key("path"); j.str(d.path);
    j.close('}');
  }
  j.close(']');
  j.key("join_only"); j.boolean(p.join_only);
  j.key("hook_points"); j.num(p.hook_points);
  j.key("exec_path"); j.str(p.exec_path);
  j.key("terminal"); j.num(p.terminal);
  j.key("console_rows"); j.num(p.console_rows);
  j.key("console_cols"); j.num(p.console_cols);
  j.key("extra_fds"); j.num(p.extra_fds);
  j.key("session_keyring"); j.str(p.session_keyring);
  j.key("seccomp_flags"); j.num(p.seccomp_flags);
  j.key("has_personality"); j.boolean(p.has_personality);
  j.key("personality"); j.num(p.personality);
  j.key("has_time_offsets"); j.boolean(p.has_time_offsets);
  j.key("time_offsets");
  j.open('{');
  j.key("monotonic_secs"); j.i64(p.time_offsets.monotonic_secs);
  j.key("boottime_secs"); j.i64(p.time_offsets.boottime_secs);
  j.key("monotonic_nanosecs"); j.num(p.time_offsets.monotonic_nanosecs);
  j.key("boottime_nanosecs"); j.num(p.time_offsets.boottime_nanosecs);
  j.close('}');
  j.key("has_scheduler"); j.boolean(p.has_scheduler);
  j.key("scheduler");
  j.open('{');
  j.key("policy"); j.num(p.scheduler.policy);
  j.key("nice"); j.num(p.scheduler.nice);
  j.key("priority"); j.num(p.scheduler.priority);
  j.key("flags"); j.u64(p.scheduler.flags);
  j.key("runtime"); j.u64(p.scheduler.runtime);
  j.key("deadline"); j.u64(p.scheduler.deadline);
  j.key("period"); j.u64(p.scheduler.period);
  j.close('}');
  j.key("has_ioprio"); j.boolean(p.has_ioprio);
  j.key("ioprio"); j.num(p.ioprio);
  j.key("cpu_affinity"); j.bytes(p.cpu_affinity.data(), p.cpu_affinity.size());
  j.key("has_memory_policy"); j.boolean(p.has_memory_policy);
  j.key("memory_policy"); j.num(p.memory_policy);
  j.key("memory_nodes"); j.bytes(p.memory_nodes.data(), p.memory_nodes.size() * sizeof(unsigned long));
  j.key("apparmor_profile"); j.str(p.apparmor_profile);
  j.close('}');
  return j.text();
}

}  // namespace

int main() {
  std::vector<unsigned char> in;
  unsigned char buf[65536];
  for (;;) {
    ssize_t n = read(0, buf, sizeof(buf));
    if (n < 0) {
      perror("plan-dump: read stdin");
      return 1;
    }
    if (n == 0) break;
    in.insert(in.end(), buf, buf + n);
  }
  Plan plan;
  std::string err = decode_plan(in.data(), in.size(), &plan);
  if (!err.empty()) {
    fprintf(stderr, "plan-dump: %s\n", err.c_str());
    return 1;
  }
  std::string out = dump(plan) + "\n";
  return fwrite(out.data(), 1, out.size(), stdout) == out.size() ? 0 : 1;
}
