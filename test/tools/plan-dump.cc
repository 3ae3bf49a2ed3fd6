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
  // Returns *this: a key and its value are one statement, j.key("size").num(n).
  Json& key(const char* k) {
    comma();
    quoted(k);
    out_ += ':';
    fresh_ = true;
    return *this;
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
    j.key("container_id").num(m.container_id);
    j.key("host_id").num(m.host_id);
    j.key("size").num(m.size);
    j.close('}');
  }
  j.close(']');
}

void mount(Json& j, const PlanMount& m) {
  j.open('{');
  j.key("kind").num(m.rec.kind);
  j.key("index").num(m.rec.index);
  j.key("flags").u64(m.rec.flags);
  j.key("propagation");
  j.open('[');
  for (uint64_t p : m.rec.propagation) j.u64(p);
  j.close(']');
  j.key("source").str(m.source);
  j.key("destination").str(m.destination);
  j.key("fstype").str(m.fstype);
  j.key("data").str(m.data);
  j.key("has_attr").boolean(m.has_attr);
  j.key("attr");
  j.open('{');
  j.key("attr_set").u64(m.attr.attr_set);
  j.key("attr_clr").u64(m.attr.attr_clr);
  j.close('}');
  j.key("has_fallback").boolean(m.has_fallback);
  j.key("fallback_flags").num(m.fallback_flags);
  j.key("fallback_source").str(m.fallback_source);
  j.key("idmap").boolean(m.idmap);
  j.key("idmap_flags").num(m.idmap_flags);
  id_maps(j, "uid_maps", m.uid_maps);
  id_maps(j, "gid_maps", m.gid_maps);
  j.close('}');
}

void device(Json& j, const PlanDevice& d) {
  j.open('{');
  j.key("type").num(d.rec.type);
  j.key("major").num(d.rec.major);
  j.key("minor").num(d.rec.minor);
  j.key("mode").num(d.rec.mode);
  j.key("uid").num(d.rec.uid);
  j.key("gid").num(d.rec.gid);
  j.key("path").str(d.path);
  j.close('}');
}

std::string dump(const Plan& p) {
  Json j;
  j.open('{');
  j.key("rootfs").str(p.rootfs);
  j.key("rootfs_propagation").u64(p.rootfs_propagation);
  j.key("root_readonly").boolean(p.root_readonly);
  j.key("no_pivot").boolean(p.no_pivot);
  j.key("clone_flags").u64(p.clone_flags);
  j.key("joins");
  j.open('[');
  for (const auto& x : p.joins) {
    j.open('{');
    j.key("type").num(x.type);
    j.key("path").str(x.path);
    j.close('}');
  }
  j.close(']');
  j.key("has_hostname").boolean(p.has_hostname);
  j.key("hostname").str(p.hostname);
  j.key("has_domainname").boolean(p.has_domainname);
  j.key("domainname").str(p.domainname);
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
  j.key("has_user").boolean(p.has_user);
  j.key("user");
  j.open('{');
  j.key("uid").num(p.user.uid);
  j.key("gid").num(p.user.gid);
  j.key("umask").num(p.user.umask);
  j.key("has_umask").num(p.user.has_umask);
  j.close('}');
  j.key("additional_gids");
  j.open('[');
  for (uint32_t g : p.additional_gids) j.num(g);
  j.close(']');
  j.key("has_caps").boolean(p.has_caps);
  j.key("caps");
  j.open('{');
  j.key("bounding").u64(p.caps.bounding);
  j.key("effective").u64(p.caps.effective);
  j.key("permitted").u64(p.caps.permitted);
  j.key("inheritable").u64(p.caps.inheritable);
  j.key("ambient").u64(p.caps.ambient);
  j.close('}');
  j.key("no_new_privs").boolean(p.no_new_privs);
  j.key("has_oom_score_adj").boolean(p.has_oom_score_adj);
  j.key("oom_score_adj").num(p.oom_score_adj);
  j.key("cwd").str(p.cwd);
  strings(j, "env", p.env);
  strings(j, "args", p.args);
  j.key("setup_dev").boolean(p.setup_dev);
  j.key("exec_fifo").str(p.exec_fifo);
  j.key("seccomp_bpf").bytes(p.seccomp_bpf.data(), p.seccomp_bpf.size());
  j.key("mkdirs");
  j.open('[');
  for (const auto& d : p.mkdirs) {
    j.open('{');
    j.key("mode").num(d.mode);
    j.key("path").str(d.path);
    j.close('}');
  }
  j.close(']');
  j.key("join_only").boolean(p.join_only);
  j.key("rootless_euid").boolean(p.rootless_euid);
  j.key("runtime_in_userns").boolean(p.runtime_in_userns);
  j.key("hook_points").num(p.hook_points);
  j.key("exec_path").str(p.exec_path);
  j.key("terminal").num(p.terminal);
  j.key("console_rows").num(p.console_rows);
  j.key("console_cols").num(p.console_cols);
  j.key("extra_fds").num(p.extra_fds);
  j.key("session_keyring").str(p.session_keyring);
  j.key("seccomp_flags").num(p.seccomp_flags);
  j.key("has_personality").boolean(p.has_personality);
  j.key("personality").num(p.personality);
  j.key("has_time_offsets").boolean(p.has_time_offsets);
  j.key("time_offsets");
  j.open('{');
  j.key("monotonic_secs").i64(p.time_offsets.monotonic_secs);
  j.key("boottime_secs").i64(p.time_offsets.boottime_secs);
  j.key("monotonic_nanosecs").num(p.time_offsets.monotonic_nanosecs);
  j.key("boottime_nanosecs").num(p.time_offsets.boottime_nanosecs);
  j.close('}');
  j.key("has_scheduler").boolean(p.has_scheduler);
  j.key("scheduler");
  j.open('{');
  j.key("policy").num(p.scheduler.policy);
  j.key("nice").num(p.scheduler.nice);
  j.key("priority").num(p.scheduler.priority);
  j.key("flags").u64(p.scheduler.flags);
  j.key("runtime").u64(p.scheduler.runtime);
  j.key("deadline").u64(p.scheduler.deadline);
  j.key("period").u64(p.scheduler.period);
  j.close('}');
  j.key("has_ioprio").boolean(p.has_ioprio);
  j.key("ioprio").num(p.ioprio);
  j.key("cpu_affinity").bytes(p.cpu_affinity.data(), p.cpu_affinity.size());
  j.key("has_memory_policy").boolean(p.has_memory_policy);
  j.key("memory_policy").num(p.memory_policy);
  j.key("memory_nodes").bytes(p.memory_nodes.data(), p.memory_nodes.size() * sizeof(unsigned long));
  j.key("apparmor_profile").str(p.apparmor_profile);
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
