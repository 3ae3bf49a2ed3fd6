// The message protocol between the parent (Node + addon) and the init helper.
// This header is its one source: the build prints its tags, constants and
// record layouts (native/tools/generate-ts.cc) into
// src/native/protocol-layout.generated.ts, which src/native/protocol.ts
// encodes plans with, by field name.
//
// Transport: one SOCK_SEQPACKET socketpair. The helper gets its end as fd 3.
//
// parent -> helper
//   1. the plan: one datagram, a PlanHeader followed by TLV records
//      (u16 tag, u16 reserved, u32 length, payload), with the stdio fds (0,1,2
//      of the container) and then the extra fds (kTagExtraFds) attached as
//      SCM_RIGHTS.
//   2. a Sync record { kind = kSyncGo } when the host-side work asked for by
//      kSyncUsernsReady / kSyncPid is done (id maps written, cgroup joined).
// helper -> parent
//   - Sync { kind = kSyncUsernsReady, value = pid } after unshare(CLONE_NEWUSER):
//     the parent writes uid_map/gid_map, then answers kSyncGo.
//   - Sync { kind = kSyncPid, value = pid of the container init, host pid ns }:
//     the parent places it in its cgroups, then answers kSyncGo.
//   - Sync { kind = kSyncCreateHooks } after the mounts, before pivot_root, and
//     Sync { kind = kSyncStartHooks } right before exec, when the plan asks
//     (kTagHookPoints): the parent runs hooks, then answers kSyncGo.
//   - Sync { kind = kSyncConsole } with the pty master attached, when the plan
//     asks for a terminal (kTagTerminal): the parent passes it on or sets up
//     its relay, then answers kSyncGo.
//   - Sync { kind = kSyncSeccomp, value = fd number in the init } right after
//     loading a seccomp filter with a notify listener (SECCOMP_FILTER_FLAG_
//     NEW_LISTENER), written with write(2) as runc's init does: the parent
//     copies the fd with pidfd_getfd, sends it with the container process
//     state to linux.seccomp.listenerPath, then answers kSyncGo.
//   - Sync { kind = kSyncCreated } once everything but exec is done (only when
//     the plan has an exec fifo: the init then blocks opening the fifo).
//   - Sync { kind = kSyncExec } right before execve. EOF after it = the user
//     program runs. An ErrorRecord after it = execve failed.
//   - ErrorRecord on any failure; the helper then _exits(kInitFailedExit).
// Every message is length-checked on receipt (runc CVE-2021-43784).
#pragma once
#include <stdint.h>

namespace proto {

constexpr uint32_t kMagic = 0x4e55524d;  // "MRUN" little-endian
constexpr uint32_t kVersion = 1;
// The init's receive buffer for the plan datagram (PlanHeader + records). The
// sender is usually held lower: the kernel takes a SOCK_SEQPACKET datagram of
// at most the socket's send buffer less 32 bytes, and SO_SNDBUF is capped at
// twice net.core.wmem_max (425,984 bytes by default: about 416 KiB). The
// parent refuses a larger plan before starting the helper (native/launch.cc).
constexpr uint32_t kMaxPlanBytes = 1u << 20;
constexpr int kHelperSockFd = 3;
constexpr int kInitFailedExit = 127;
constexpr int kMaxPlanFds = 253;  // SCM_MAX_FD: stdio and the extra fds, in one message

struct PlanHeader {
  uint32_t magic;
  uint32_t version;
  uint32_t length;  // bytes of TLV records after this header
  uint32_t reserved;
};

struct TlvHeader {
  uint16_t tag;
  uint16_t reserved;
  uint32_t length;
};

// Strings are raw bytes (no NUL inside; the parent validates). Integers are
// little-endian. "str*" below = a sequence of NUL-terminated strings.
enum Tag : uint16_t {
  kTagRootfs = 1,             // str: absolute host path of the rootfs
  kTagRootfsPropagation = 2,  // u64: MS_* propagation flags for "/" (0 = MS_SLAVE|MS_REC default)
  kTagRootReadonly = 3,       // u8
  kTagNoPivot = 4,            // u8
  kTagCloneFlags = 5,         // u64: CLONE_NEW* to create
  kTagNsJoin = 6,             // NsJoinRecord, then str path (not NUL-terminated)
  kTagHostname = 7,           // str
  kTagDomainname = 8,         // str
  kTagMount = 9,              // MountRecord then str* source, destination, fstype, data
  kTagDevice = 10,            // DeviceRecord then str path
  kTagMaskedPath = 11,        // str
  kTagReadonlyPath = 12,      // str
  kTagSysctl = 13,            // str* key, value
  // 14: unused (rlimits are set by the parent with prlimit)
  kTagUser = 15,           // UserRecord
  kTagAdditionalGid = 16,  // u32
  kTagCaps = 17,           // CapsRecord
  kTagNoNewPrivs = 18,     // u8
  kTagOomScoreAdj = 19,    // i32
  kTagCwd = 20,            // str
  kTagEnv = 21,            // str, one per entry, in order
  kTagArg = 22,            // str, one per argv entry, in order
  kTagSetupDev = 23,       // u8: create default devices and /dev symlinks
  kTagExecFifo = 24,       // str: host path of the exec fifo (create/start)
  kTagSeccompBpf = 25,     // struct sock_filter[] (precompiled by the parent)
  kTagSymlink = 26,        // str* target, linkpath (inside the rootfs)
  kTagMkdir = 27,          // MkdirRecord, then str path: create before mounts (cwd)
  // 28: unused (the helper asks for id maps whenever it creates a user namespace)
  kTagJoinOnly = 29,        // u8: exec into a running container: join, no rootfs steps
  kTagHookPoints = 30,      // u8: kHookPoint* bits: where the init stops for the parent's hooks
  kTagExecPath = 31,        // str: the file to exec (default: args[0] found through PATH)
  kTagTerminal = 32,        // u8: 1 = a pty for stdio; 2 = also bind it at /dev/console
  kTagConsoleSize = 33,     // ConsoleSizeRecord (process.consoleSize)
  kTagSessionKeyring = 35,  // str: join a new session keyring of this name (runc: _ses.<id>)
  kTagSeccompFlags = 36,    // u32 SECCOMP_FILTER_FLAG_* for loading kTagSeccompBpf
  kTagPersonality = 37,     // u32 personality(2) domain
  kTagTimeOffsets = 38,     // TimeOffsetsRecord: written after unshare(CLONE_NEWTIME)
  kTagScheduler = 39,       // SchedulerRecord: sched_setattr before exec
  kTagIoPriority = 40,      // u32 ioprio value (class << 13 | level)
  kTagCpuAffinity = 41,     // cpu_set_t bytes: sched_setaffinity before exec
  kTagExtraFds = 34,        // u32 n: n more fds came after stdio (LISTEN_FDS, --preserve-fds), for 3..3+n-1
  // The next two describe the kTagMount record just before them.
  kTagMountAttr = 42,   // MountAttrRecord: mount_setattr(AT_RECURSIVE) after the mount (rro, rnosuid, ...)
  kTagMountIdmap = 43,  // MountIdmapRecord then uid_count + gid_count IdMapRecords: an id-mapped bind
  kTagMountFallback =
      44,  // MountFallbackRecord then str: a cgroup2 mount the kernel refuses (EPERM, EBUSY) is a bind of this path
  kTagMemoryPolicy = 60,     // MemoryPolicyRecord, then the nodemask bytes (may be empty): set_mempolicy before exec
  kTagApparmorProfile = 61,  // str: AppArmor profile for the exec (/proc/thread-self/attr/apparmor/exec)
  kTagRootlessEuid = 62,     // u8: the caller is not root: groups kept, the init reachable by it (as runc's)
  kTagRuntimeInUserns = 63,  // u8: the runtime runs in a user namespace of its own: device nodes are bound
};

enum MountKind : uint32_t {
  kMountGeneric = 0,      // mount(source, dest, fstype, flags, data)
  kMountBind = 1,         // MS_BIND (+MS_REC) then remount with the flags
  kMountTmpfs = 2,        // like generic, but ro delayed and the old dir mode kept
  kMountProc = 3,         // generic, destination must be a real directory
  kMountSysfs = 4,        // generic, destination must be a real directory
  kMountTmpfsCopyUp = 5,  // tmpfs, then a copy of what the mount point held (tmpcopyup)
};

constexpr uint32_t kNoIndex = 0xffffffffu;

struct MountRecord {
  uint32_t kind;            // MountKind
  uint32_t index;           // index in config.json mounts[], or kNoIndex for mounts minirun adds
  uint64_t flags;           // MS_* (MS_RDONLY, MS_NOSUID, ... and MS_REC for rbind)
  uint64_t propagation[4];  // MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (|MS_REC), 0 = none
};

struct MountAttrRecord {
  uint64_t attr_set;  // MOUNT_ATTR_* (the access time counts as set when attr_clr has MOUNT_ATTR__ATIME)
  uint64_t attr_clr;
};

constexpr uint32_t kIdmapRecursive = 1;     // "ridmap": map the submounts of an rbind too
constexpr uint32_t kIdmapJoinedUserns = 2;  // use the user namespace joined by path; no maps follow
constexpr uint32_t kMaxIdMaps = 340;        // lines a uid_map/gid_map takes

// runc's mountCgroupV2: in a user namespace without a cgroup namespace of its
// own (EPERM), or over a /sys/fs/cgroup that an rbind of /sys brought (EBUSY),
// cgroup2 cannot be mounted; the container's cgroup dir (with a cgroup
// namespace) or the whole tree is bound instead; with rootless cgroups, a
// missing dir masks the mount point (a read-only tmpfs).
constexpr uint32_t kFallbackMaskMissing = 1;

struct MountFallbackRecord {
  uint32_t flags;  // kFallback*
};

struct MountIdmapRecord {
  uint32_t flags;      // kIdmap*
  uint32_t uid_count;  // IdMapRecords for uid_map, then gid_count for gid_map
  uint32_t gid_count;
  uint32_t reserved;
};

struct IdMapRecord {
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct DeviceRecord {
  uint32_t type;  // 'c', 'b', 'p' (u is normalised to c by the parent)
  uint32_t major;
  uint32_t minor;
  uint32_t mode;  // full st_mode permission bits (0666 default)
  uint32_t uid;
  uint32_t gid;
};

struct NsJoinRecord {
  uint32_t type;  // CLONE_NEW*
};

struct MkdirRecord {
  uint32_t mode;
};

struct CapsRecord {
  uint64_t bounding;
  uint64_t effective;
  uint64_t permitted;
  uint64_t inheritable;
  uint64_t ambient;
};

struct ConsoleSizeRecord {
  uint32_t rows;
  uint32_t cols;
};

struct MemoryPolicyRecord {
  uint32_t mode;  // MPOL_* | MPOL_F_*
};

struct UserRecord {
  uint32_t uid;
  uint32_t gid;
  uint32_t umask;  // valid only if has_umask
  uint32_t has_umask;
};

// Where the init stops and waits for kSyncGo while the parent runs hooks.
constexpr uint8_t kHookPointCreate = 1;  // mounts done, before pivot_root: kSyncCreateHooks
constexpr uint8_t kHookPointStart = 2;   // right before exec (run, no exec fifo): kSyncStartHooks

struct TimeOffsetsRecord {
  int64_t monotonic_secs;
  int64_t boottime_secs;
  uint32_t monotonic_nanosecs;
  uint32_t boottime_nanosecs;
};

struct SchedulerRecord {
  uint32_t policy;
  int32_t nice;
  uint32_t priority;
  uint32_t reserved;
  uint64_t flags;
  uint64_t runtime;
  uint64_t deadline;
  uint64_t period;
};

enum SyncKind : uint32_t {
  kSyncUsernsReady = 1,
  kSyncPid = 2,
  kSyncGo = 3,
  kSyncCreated = 4,
  kSyncExec = 5,
  kSyncError = 6,
  kSyncCreateHooks = 7,
  kSyncStartHooks = 8,
  kSyncConsole = 9,   // the pty master is attached (SCM_RIGHTS); answer kSyncGo
  kSyncSeccomp = 10,  // value = the notify fd's number in the init; answer kSyncGo
};

struct SyncRecord {
  uint32_t kind;
  uint32_t reserved;
  int64_t value;
};

// Sent instead of a SyncRecord on failure (kind == kSyncError). Fixed size.
constexpr int kStepLen = 32;
constexpr int kDetailLen = 448;
struct ErrorRecord {
  uint32_t kind;            // kSyncError
  int32_t err;              // errno, 0 if none
  char step[kStepLen];      // NUL-terminated, e.g. "mount"
  char detail[kDetailLen];  // NUL-terminated, e.g. "mounts[3] /data: bind source /nope"
};

static_assert(sizeof(PlanHeader) == 16, "PlanHeader layout");
static_assert(sizeof(TlvHeader) == 8, "TlvHeader layout");
static_assert(sizeof(MountRecord) == 48, "MountRecord layout");
static_assert(sizeof(DeviceRecord) == 24, "DeviceRecord layout");
static_assert(sizeof(MountAttrRecord) == 16, "MountAttrRecord layout");
static_assert(sizeof(MountFallbackRecord) == 4, "MountFallbackRecord layout");
static_assert(sizeof(MountIdmapRecord) == 16, "MountIdmapRecord layout");
static_assert(sizeof(IdMapRecord) == 12, "IdMapRecord layout");
static_assert(sizeof(UserRecord) == 16, "UserRecord layout");
static_assert(sizeof(NsJoinRecord) == 4, "NsJoinRecord layout");
static_assert(sizeof(MkdirRecord) == 4, "MkdirRecord layout");
static_assert(sizeof(CapsRecord) == 40, "CapsRecord layout");
static_assert(sizeof(ConsoleSizeRecord) == 8, "ConsoleSizeRecord layout");
static_assert(sizeof(MemoryPolicyRecord) == 4, "MemoryPolicyRecord layout");
static_assert(sizeof(SyncRecord) == 16, "SyncRecord layout");
static_assert(sizeof(ErrorRecord) == 488, "ErrorRecord layout");
static_assert(sizeof(TimeOffsetsRecord) == 24, "TimeOffsetsRecord layout");
static_assert(sizeof(SchedulerRecord) == 48, "SchedulerRecord layout");

}  // namespace proto
