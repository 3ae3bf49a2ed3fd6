import type { Command } from 'commander';
import { addContainerOptions, containerOptions } from './container-options';
import type { GlobalOptions } from './main';

export function register(program: Command, globals: () => GlobalOptions): void {
  addContainerOptions(program.command('create').description('create a container: set everything up, but do not run the process until start'))
    .action(async (id: string, o: Record<string, unknown>) => {
      const { create } = await import('../lifecycle/create');
      create(await containerOptions(globals().root, id, o));
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
      const { out } = await import('../output');
      out(listText(globals().root, o.format, o.quiet === true));
    });
}
