// The launch plan as the helper holds it, decoded from the TLV records of
// native/protocol.h. Decoding checks every length; strings never hold NUL.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <string>
#include <utility>
#include <vector>

#include "../protocol.h"

struct PlanMount {
  proto::MountRecord rec{};
  std::string source, destination, fstype, data;
  bool has_attr = false;  // kTagMountAttr: recursive attributes after the mount
  proto::MountAttrRecord attr{};
  bool has_fallback = false;  // kTagMountFallback: cgroup2 refused, bind fallback_source
  uint32_t fallback_flags = 0;
  std::string fallback_source;
  bool idmap = false;  // kTagMountIdmap: an id-mapped bind
  uint32_t idmap_flags = 0;
  std::vector<proto::IdMapRecord> uid_maps, gid_maps;
  int tree_fd = -1;  // a detached clone of the source (id-mapped or not), made before leaving the host's namespaces
};

struct PlanDevice {
  proto::DeviceRecord rec{};
  std::string path;
};

struct PlanNsJoin {
  uint32_t type = 0;  // CLONE_NEW*
  std::string path;
};

struct PlanMkdir {
  uint32_t mode = 0755;
  std::string path;
};

struct Plan {
  std::string rootfs;
  uint64_t rootfs_propagation = 0;
  bool root_readonly = false;
  bool no_pivot = false;
  uint64_t clone_flags = 0;
  std::vector<PlanNsJoin> joins;
  bool has_hostname = false, has_domainname = false;
  std::string hostname, domainname;
  std::vector<PlanMount> mounts;
  std::vector<PlanDevice> devices;
  std::vector<std::string> masked, readonly;
  std::vector<std::pair<std::string, std::string>> sysctl, symlinks;
  bool has_user = false;
  proto::UserRecord user{};
  std::vector<uint32_t> additional_gids;
  bool has_caps = false;
  proto::CapsRecord caps{};
  bool no_new_privs = false;
  bool has_oom_score_adj = false;
  int32_t oom_score_adj = 0;
  std::string cwd = "/";
  std::vector<std::string> env, args;
  bool setup_dev = false;
  std::string exec_fifo;
  std::vector<unsigned char> seccomp_bpf;
  std::vector<PlanMkdir> mkdirs;
  bool join_only = false;
  bool rootless_euid = false;
  bool runtime_in_userns = false;  // the runtime's own user namespace (the parent reads it)
  uint8_t hook_points = 0;
  std::string exec_path;
  uint8_t terminal = 0;  // 1: pty for stdio, 2: and /dev/console
  uint32_t console_rows = 0, console_cols = 0;
  uint32_t extra_fds = 0;
  std::string session_keyring;
  uint32_t seccomp_flags = 0;
  bool has_personality = false;
  uint32_t personality = 0;
  bool has_time_offsets = false;
  proto::TimeOffsetsRecord time_offsets{};
  bool has_scheduler = false;
  proto::SchedulerRecord scheduler{};
  bool has_ioprio = false;
  uint32_t ioprio = 0;
  std::vector<unsigned char> cpu_affinity;
  bool has_memory_policy = false;
  uint32_t memory_policy = 0;
  std::vector<unsigned long> memory_nodes;
  std::string apparmor_profile;
};

// Decodes the TLV records (after the PlanHeader). Returns "" on success or a
// description of the first malformed record.
std::string decode_plan(const unsigned char* data, size_t len, Plan* out);
