// The options `run` and `create` share, as runc has them, and reading them.
import type { Command } from 'commander';

export function addContainerOptions(cmd: Command): Command {
  return cmd
    .argument('<container-id>', 'the container id')
    .option('-b, --bundle <dir>', 'path to the bundle (default: the current directory)')
    .option('--pid-file <file>', 'write the container process id to this file')
    .option('--no-pivot', 'do not use pivot_root (for a rootfs on a ramdisk)')
    .option('--no-new-keyring', 'do not give the container a new session keyring (_ses.<id>)')
    .option('--console-socket <path>', 'unix socket that receives the pty master of a terminal container')
    .option('--preserve-fds <n>', "pass N more of minirun's fds (from 3, after LISTEN_FDS) to the container");
}

export async function containerOptions(root: string, id: string, o: Record<string, unknown>, systemdCgroup = false) {
  const { parsePreserveFds } = await import('../lifecycle/extra-fds');
  return {
    root,
    id,
    systemdCgroup,
    bundle: o.bundle as string | undefined,
    pidFile: o.pidFile as string | undefined,
    noPivot: o.pivot === false,
    noNewKeyring: o.newKeyring === false,
    consoleSocket: o.consoleSocket as string | undefined,
    preserveFds: parsePreserveFds(o.preserveFds as string | undefined),
  };
}
