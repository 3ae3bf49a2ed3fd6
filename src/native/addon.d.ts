// The addon's surface (native/addon.cc). Loaded by src/native/loader.ts.
import type { SeccompFilter } from '../config/seccomp';
import type { SyncKind } from './protocol-layout.generated';
export interface WaitStatus {
  pid: number;
  code: number | null;
  signal: number | null;
}

export type HelperMessage =
  | { type: 'sync'; kind: SyncKind; value: number; fd?: number }
  | { type: 'error'; step: string; errno: number; detail: string }
  | { type: 'eof' };

export interface Addon {
  /**
   * Starts the init helper from a sealed memfd copy of helperPath, sends it the plan, stdio and extra fds.
   * A plan too large for one message is refused before the helper starts: an error with errno EMSGSIZE,
   * planBytes (the message's size) and maxPlanBytes (the most it may have on this host).
   */
  startHelper(helperPath: string, plan: Buffer, fds: number[]): { pid: number; sock: number };
  /** Blocks for the helper's next message. */
  recv(sock: number): HelperMessage;
  sendGo(sock: number): void;
  close(fd: number): void;
  /** waitpid; with nohang, null while the process runs. */
  waitSync(pid: number, nohang?: boolean): WaitStatus | null;
  /** waitpid in the thread pool. */
  wait(pid: number): Promise<WaitStatus>;
  /** kill(2): 0 or the errno. */
  kill(pid: number, signal: number): number;
  setSubreaper(): void;
  prlimit(pid: number, resource: number, soft: bigint, hard: bigint): void;
  mkfifo(path: string, mode: number): void;
  /** mknod(2): mode with its S_IF* type; errors carry errno. */
  mknod(path: string, mode: number, major: number, minor: number): void;
  /** lsetxattr(2); errors carry errno. */
  lsetxattr(path: string, name: string, value: Buffer): void;
  /** umount2(2): 0 or the errno. */
  umount(path: string, flags: number): number;
  /** mount(2) of an overlayfs on target with overlayfs's options (lowerdir=...); errors carry errno. */
  mountOverlay(target: string, options: string, readonly: boolean): void;
  /** pipe2(O_CLOEXEC): [read end, write end] */
  pipe(): [number, number];
  /** Copies `from` into `to` on a detached native thread until EOF, then closes `to` unless closeTo is false. */
  pump(from: number, to: number, closeTo?: boolean): void;
  /**
   * Copies `from` into `to` on a detached native thread until `from` ends (EOF, or EIO: a pty master
   * once every holder of the other side closed it and all they wrote was read), then closes `from`
   * unless closeFrom is false, and resolves; what `to` cannot take (gone, an error) is dropped, and the
   * copying goes on.
   */
  pumpOut(from: number, to: number, closeFrom?: boolean): Promise<void>;
  /**
   * On a detached native thread, writes our own pid into `procsFile` (the cgroup.procs of the cgroup
   * minirun is in: nothing moves) now and every 2 ms, until stopWarmCgroupMoves() or 2 s: the kernel's
   * wait before the first move into a cgroup is paid in the background. A failed write ends it.
   */
  warmCgroupMoves(procsFile: string): void;
  stopWarmCgroupMoves(): void;
  /** Sends fd over a new connection to a unix socket (SCM_RIGHTS), as runc does for --console-socket. */
  sendFd(socketPath: string, fd: number): void;
  /** Sends payload with fd attached over a new connection to a unix socket (a leading @: abstract). Errors carry errno and step. */
  sendWithFd(socketPath: string, payload: Buffer, fd: number): void;
  /** pidfd_open + pidfd_getfd: a copy of another process's fd. */
  pidfdGetfd(pid: number, fd: number): number;
  /** The window size of terminal `from` onto terminal `to` (runc's ResizeFrom). */
  copyWinsize(from: number, to: number): void;
  /** tcgetattr: a terminal's settings, opaque, for setTerminal; an error with errno ENOTTY when fd is no terminal. */
  getTerminal(fd: number): Buffer;
  /**
   * tcsetattr with settings from getTerminal, changed first: 'raw' is runc's raw mode for the caller's
   * terminal (cfmakeraw with output processing kept), 'no-onlcr' clears ONLCR (runc's setting of a pty it relays).
   */
  setTerminal(fd: number, settings: Buffer, change: 'as-is' | 'raw' | 'no-onlcr'): void;
  /** _exit(2) at once: process.exit would wait for the thread pool, where a waitpid may never end. */
  exitNow(code: number): never;
  /** An exclusive flock on a directory (blocking); close the fd to release it. */
  lockDir(path: string): number;
  /** libseccomp: a filter description -> BPF (struct sock_filter[]), after runc's -ENOSYS stub when the default denies */
  compileSeccomp(filter: SeccompFilter): Buffer;
  /** The linked libseccomp's version, "major.minor.micro" (seccomp_version()). */
  seccompVersion(): string;
  /** cgroup v2: loads a BPF_PROG_TYPE_CGROUP_DEVICE program and attaches it to the cgroup dir, replacing earlier ones. */
  attachDeviceFilter(cgroupDir: string, insns: Buffer): void;
  /** linux.netDevices: moves a host interface into pid's network namespace as `name`, keeps its addresses, sets it up. */
  moveNetDevice(hostName: string, pid: number, name: string): void;
  /**
   * The systemd cgroup driver's D-Bus calls (native/systemd_bus.cc, sd-bus: the system bus, or
   * /run/systemd/private as root when no bus daemon answers). Every failure is one Error,
   * "<call> <unit>: <D-Bus error name>: <message>", with dbusName and errno.
   * StartTransientUnit(name, "replace", properties), then waits for the job: its result ("done";
   * "exists" when the unit was there already).
   */
  startTransientUnit(name: string, properties: UnitProperty[], timeoutSec: number): string;
  /** StopUnit(name, "replace"), then waits for the job: its result ("done"; "nounit" when not loaded). */
  stopUnit(name: string, timeoutSec: number): string;
  /** ResetFailedUnit(name); a unit that is not loaded is no error. */
  resetFailedUnit(name: string): void;
  setUnitProperties(name: string, runtime: boolean, properties: UnitProperty[]): void;
  /** A property of a unit on interface iface ('' as the unit: of the manager); t/u/x/i as bigint. */
  getUnitProperty(unit: string, iface: string, name: string): unknown;
  /** the bus of the systemd calls: a D-Bus address (the user's systemd), or '' for the system bus */
  useSystemdBus(address: string): void;
}

/** A systemd unit property as D-Bus sends it: its type signature and a value of that type. */
export type UnitProperty =
  | { name: string; sig: 'b'; value: boolean }
  | { name: string; sig: 'y' | 'n' | 'q' | 'i' | 'u' | 'd'; value: number }
  | { name: string; sig: 'x' | 't'; value: bigint }
  | { name: string; sig: 's'; value: string }
  | { name: string; sig: 'as'; value: string[] }
  | { name: string; sig: 'au' | 'at'; value: bigint[] }
  | { name: string; sig: 'ay'; value: Buffer }
  | { name: string; sig: 'a(ss)'; value: [string, string][] };
