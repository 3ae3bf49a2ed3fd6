#include "plan.h"

#include <string.h>

namespace {

class Reader {
 public:
  Reader(const unsigned char* p, size_t n) : p_(p), n_(n) {}
  size_t left() const { return n_ - off_; }
  template <typename T>
  bool pod(T* out) {
    if (left() < sizeof(T)) return false;
    memcpy(out, p_ + off_, sizeof(T));
    off_ += sizeof(T);
    return true;
  }
  // A NUL-terminated string inside the payload.
  bool cstr(std::string* out) {
    const void* end = memchr(p_ + off_, 0, left());
    if (!end) return false;
    size_t k = static_cast<const unsigned char*>(end) - (p_ + off_);
    out->assign(reinterpret_cast<const char*>(p_ + off_), k);
    off_ += k + 1;
    return true;
  }
  // The rest of the payload as a string; NUL is not allowed.
  bool rest(std::string* out) {
    if (memchr(p_ + off_, 0, left())) return false;
    out->assign(reinterpret_cast<const char*>(p_ + off_), left());
    off_ = n_;
    return true;
  }

 private:
  const unsigned char* p_;
  size_t n_;
  size_t off_ = 0;
};

template <typename T>
bool exact(Reader& r, T* out) {
  return r.left() == sizeof(T) && r.pod(out);
}

bool decode_record(uint16_t tag, Reader r, Plan* p) {
  uint8_t b = 0;
  switch (tag) {
    case proto::kTagRootfs: return r.rest(&p->rootfs) && !p->rootfs.empty() && p->rootfs[0] == '/';
    case proto::kTagRootfsPropagation: return exact(r, &p->rootfs_propagation);
    case proto::kTagRootReadonly: return exact(r, &b) && ((p->root_readonly = b), true);
    case proto::kTagNoPivot: return exact(r, &b) && ((p->no_pivot = b), true);
    case proto::kTagCloneFlags: return exact(r, &p->clone_flags);
    case proto::kTagNsJoin: {
      PlanNsJoin j;
      proto::NsJoinRecord h;
      if (!r.pod(&h) || !r.rest(&j.path) || j.path.empty()) return false;
      j.type = h.type;
      p->joins.push_back(std::move(j));
      return true;
    }
    case proto::kTagHostname: p->has_hostname = true; return r.rest(&p->hostname);
    case proto::kTagDomainname: p->has_domainname = true; return r.rest(&p->domainname);
    case proto::kTagMount: {
      PlanMount m;
      if (!r.pod(&m.rec) || !r.cstr(&m.source) || !r.cstr(&m.destination) || !r.cstr(&m.fstype) || !r.cstr(&m.data) ||
          r.left() != 0)
        return false;
      if (m.destination.empty() || m.destination[0] != '/') return false;
      p->mounts.push_back(std::move(m));
      return true;
    }
    case proto::kTagMountAttr: {
      if (p->mounts.empty() || p->mounts.back().has_attr) return false;
      PlanMount& m = p->mounts.back();
      m.has_attr = true;
      return exact(r, &m.attr);
    }
    case proto::kTagMountFallback: {
      if (p->mounts.empty() || p->mounts.back().has_fallback) return false;
      PlanMount& m = p->mounts.back();
      proto::MountFallbackRecord h;
      if (m.rec.kind != proto::kMountGeneric || m.fstype != "cgroup2" || !r.pod(&h) || !r.rest(&m.fallback_source))
        return false;
      if (h.flags & ~proto::kFallbackMaskMissing || m.fallback_source.empty() || m.fallback_source[0] != '/')
        return false;
      m.has_fallback = true;
      m.fallback_flags = h.flags;
      return true;
    }
    case proto::kTagMountIdmap: {
      if (p->mounts.empty() || p->mounts.back().idmap) return false;
      PlanMount& m = p->mounts.back();
      proto::MountIdmapRecord h;
      if (m.rec.kind != proto::kMountBind || !r.pod(&h)) return false;
      bool joined = h.flags & proto::kIdmapJoinedUserns;
      if (h.flags & ~(proto::kIdmapRecursive | proto::kIdmapJoinedUserns)) return false;
      if (h.uid_count > proto::kMaxIdMaps || h.gid_count > proto::kMaxIdMaps) return false;
      if (joined ? (h.uid_count || h.gid_count) : (!h.uid_count || !h.gid_count)) return false;
      if (r.left() != (h.uid_count + h.gid_count) * sizeof(proto::IdMapRecord)) return false;
      m.uid_maps.resize(h.uid_count);
      m.gid_maps.resize(h.gid_count);
      for (auto& x : m.uid_maps) r.pod(&x);
      for (auto& x : m.gid_maps) r.pod(&x);
      m.idmap = true;
      m.idmap_flags = h.flags;
      return true;
    }
    case proto::kTagDevice: {
      PlanDevice d;
      if (!r.pod(&d.rec) || !r.rest(&d.path) || d.path.empty() || d.path[0] != '/') return false;
      p->devices.push_back(std::move(d));
      return true;
    }
    case proto::kTagMaskedPath: p->masked.emplace_back(); return r.rest(&p->masked.back());
    case proto::kTagReadonlyPath: p->readonly.emplace_back(); return r.rest(&p->readonly.back());
    case proto::kTagSysctl: {
      std::pair<std::string, std::string> kv;
      if (!r.cstr(&kv.first) || !r.cstr(&kv.second) || r.left() != 0) return false;
      p->sysctl.push_back(std::move(kv));
      return true;
    }
    case proto::kTagSymlink: {
      std::pair<std::string, std::string> l;
      if (!r.cstr(&l.first) || !r.cstr(&l.second) || r.left() != 0) return false;
      p->symlinks.push_back(std::move(l));
      return true;
    }
    case proto::kTagUser: p->has_user = true; return exact(r, &p->user);
    case proto::kTagAdditionalGid: {
      uint32_t g;
      if (!exact(r, &g)) return false;
      p->additional_gids.push_back(g);
      return true;
    }
    case proto::kTagCaps: p->has_caps = true; return exact(r, &p->caps);
    case proto::kTagNoNewPrivs: return exact(r, &b) && ((p->no_new_privs = b), true);
    case proto::kTagOomScoreAdj: p->has_oom_score_adj = true; return exact(r, &p->oom_score_adj);
    case proto::kTagCwd: return r.rest(&p->cwd) && !p->cwd.empty() && p->cwd[0] == '/';
    case proto::kTagEnv: p->env.emplace_back(); return r.rest(&p->env.back());
    case proto::kTagArg: p->args.emplace_back(); return r.rest(&p->args.back());
    case proto::kTagSetupDev: return exact(r, &b) && ((p->setup_dev = b), true);
    case proto::kTagExecFifo: return r.rest(&p->exec_fifo) && !p->exec_fifo.empty();
    case proto::kTagSeccompBpf: {
      // struct sock_filter is 8 bytes; BPF_MAXINSNS is 4096.
      size_t n = r.left();
      if (n == 0 || n % 8 != 0 || n / 8 > 4096) return false;
      p->seccomp_bpf.resize(n);
      for (size_t i = 0; i < n; i++) r.pod(&p->seccomp_bpf[i]);
      return true;
    }
    case proto::kTagMkdir: {
      PlanMkdir d;
      proto::MkdirRecord h;
      if (!r.pod(&h) || !r.rest(&d.path) || d.path.empty() || d.path[0] != '/') return false;
      d.mode = h.mode;
      p->mkdirs.push_back(std::move(d));
      return true;
    }
    case proto::kTagJoinOnly: return exact(r, &b) && ((p->join_only = b), true);
    case proto::kTagRootlessEuid: return exact(r, &b) && ((p->rootless_euid = b), true);
    case proto::kTagRuntimeInUserns: return exact(r, &b) && ((p->runtime_in_userns = b), true);
    case proto::kTagHookPoints: return exact(r, &p->hook_points);
    case proto::kTagExecPath: return r.rest(&p->exec_path) && !p->exec_path.empty();
    case proto::kTagSeccompFlags: return exact(r, &p->seccomp_flags);
    case proto::kTagPersonality: p->has_personality = true; return exact(r, &p->personality);
    case proto::kTagTimeOffsets: p->has_time_offsets = true; return exact(r, &p->time_offsets);
    case proto::kTagScheduler: p->has_scheduler = true; return exact(r, &p->scheduler);
    case proto::kTagIoPriority: p->has_ioprio = true; return exact(r, &p->ioprio);
    case proto::kTagCpuAffinity: {
      size_t n = r.left();
      if (n == 0 || n > 1024) return false;
      p->cpu_affinity.resize(n);
      for (size_t i = 0; i < n; i++) r.pod(&p->cpu_affinity[i]);
      return true;
    }
    case proto::kTagMemoryPolicy: {
      proto::MemoryPolicyRecord h;
      if (!r.pod(&h)) return false;
      size_t n = r.left();  // the nodemask: at most 1024 bits
      if (n > 128 || n % sizeof(unsigned long) != 0) return false;
      p->has_memory_policy = true;
      p->memory_policy = h.mode;
      p->memory_nodes.resize(n / sizeof(unsigned long));
      for (auto& w : p->memory_nodes) r.pod(&w);
      return true;
    }
    case proto::kTagApparmorProfile: return r.rest(&p->apparmor_profile) && !p->apparmor_profile.empty();
    case proto::kTagSessionKeyring: return r.rest(&p->session_keyring) && !p->session_keyring.empty();
    case proto::kTagExtraFds: return exact(r, &p->extra_fds) && p->extra_fds <= proto::kMaxPlanFds - 3;
    case proto::kTagTerminal: return exact(r, &p->terminal) && p->terminal <= 2;
    case proto::kTagConsoleSize: {
      proto::ConsoleSizeRecord size;
      if (!exact(r, &size)) return false;
      p->console_rows = size.rows;
      p->console_cols = size.cols;
      return true;
    }
    default: return false;
  }
}

}  // namespace

std::string decode_plan(const unsigned char* data, size_t len, Plan* out) {
  size_t off = 0;
  while (off < len) {
    proto::TlvHeader h;
    if (len - off < sizeof(h)) return "truncated record header";
    memcpy(&h, data + off, sizeof(h));
    off += sizeof(h);
    if (h.length > len - off) return "record " + std::to_string(h.tag) + " overruns the plan";
    if (!decode_record(h.tag, Reader(data + off, h.length), out)) return "malformed record " + std::to_string(h.tag);
    off += h.length;
  }
  if (out->rootfs.empty()) return "no rootfs";
  if (out->args.empty()) return "no args";
  return "";
}
