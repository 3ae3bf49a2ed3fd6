import type { Command } from 'commander';
import { addContainerOptions, containerOptions } from './container-options';
import type { Globals } from './globals';

export function register(program: Command, globals: Globals): void {
  addContainerOptions(program.command('run').description('create and run a container'))
    .option('-d, --detach', 'detach from the container process')
    .option('--keep', 'do not delete the container after it exits')
    .option('--no-subreaper', "do not become a subreaper: processes orphaned in the container go to the host's reaper")
    .action(async (id: string, o: Record<string, unknown>) => {
      const { run } = await import('../lifecycle/run');
      const opts = await containerOptions(globals().root, id, o, globals().systemdCgroup);
      process.exitCode = await run({
        ...opts,
        detach: o.detach === true,
        keep: o.keep === true,
        noSubreaper: o.subreaper === false,
      });
    });
}
