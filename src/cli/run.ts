import type { Command } from 'commander';
import type { GlobalOptions } from './main';

export function register(program: Command, globals: () => GlobalOptions): void {
  program
    .command('run')
    .description('create and run a container')
    .argument('<container-id>', 'the container id')
    .option('-b, --bundle <dir>', 'path to the bundle (default: the current directory)')
    .option('-d, --detach', 'detach from the container process')
    .option('--keep', 'do not delete the container after it exits')
    .option('--pid-file <file>', 'write the container process id to this file')
    .option('--no-pivot', 'do not use pivot_root (for a rootfs on a ramdisk)')
    .option('--no-new-keyring', 'do not give the container a new session keyring (_ses.<id>)')
    .option('--console-socket <path>', 'unix socket that receives the pty master of a terminal container')
    .option('--preserve-fds <n>', 'pass N more of minirun\'s fds (from 3, after LISTEN_FDS) to the container')
    .action(async (id: string, o: Record<string, unknown>) => {
      const { run } = await import('../lifecycle/run');
      const { parsePreserveFds } = await import('../lifecycle/extra-fds');
      const code = await run({
        root: globals().root,
        id,
        bundle: o.bundle as string | undefined,
        detach: o.detach === true,
        keep: o.keep === true,
        pidFile: o.pidFile as string | undefined,
        noPivot: o.pivot === false,
        noNewKeyring: o.newKeyring === false,
        consoleSocket: o.consoleSocket as string | undefined,
        preserveFds: parsePreserveFds(o.preserveFds as string | undefined),
      });
      process.exitCode = code;
    });
}
