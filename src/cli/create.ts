import type { Command } from 'commander';
import type { GlobalOptions } from './main';

export function register(program: Command, globals: () => GlobalOptions): void {
  program
    .command('create')
    .description('create a container: set everything up, but do not run the process until start')
    .argument('<container-id>', 'the container id')
    .option('-b, --bundle <dir>', 'path to the bundle (default: the current directory)')
    .option('--pid-file <file>', 'write the container process id to this file')
    .option('--no-pivot', 'do not use pivot_root (for a rootfs on a ramdisk)')
    .option('--no-new-keyring', 'do not give the container a new session keyring (_ses.<id>)')
    .option('--console-socket <path>', 'unix socket that receives the pty master of a terminal container')
    .option('--preserve-fds <n>', 'pass N more of minirun\'s fds (from 3, after LISTEN_FDS) to the container')
    .action(async (id: string, o: Record<string, unknown>) => {
      const { parsePreserveFds } = await import('../lifecycle/extra-fds');
      const { create } = await import('../lifecycle/create');
      create({
        root: globals().root,
        id,
        bundle: o.bundle as string | undefined,
        pidFile: o.pidFile as string | undefined,
        noPivot: o.pivot === false,
        noNewKeyring: o.newKeyring === false,
        consoleSocket: o.consoleSocket as string | undefined,
        preserveFds: parsePreserveFds(o.preserveFds as string | undefined),
      });
    });

  program
    .command('start')
    .description('run the process of a created container')
    .argument('<container-id>', 'the container id')
    .action(async (id: string) => {
      const { start } = await import('../lifecycle/start');
      start(globals().root, id);
    });

  program
    .command('list')
    .alias('ls')
    .description('list the containers under --root')
    .option('-f, --format <format>', 'table or json', 'table')
    .option('-q, --quiet', 'only the container ids')
    .action(async (o: { format: string; quiet?: boolean }) => {
      const { MiniRunError } = await import('../errors');
      if (o.format !== 'table' && o.format !== 'json') {
        throw new MiniRunError('USAGE', `--format: must be table or json, got "${o.format}"`);
      }
      const { listText } = await import('../lifecycle/list');
      const { out } = await import('./output');
      out(listText(globals().root, o.format, o.quiet === true));
    });
}
