import type { Command } from 'commander';
import type { Globals } from './globals';

export function register(program: Command, globals: Globals): void {
  program
    .command('start')
    .description('run the process of a created container')
    .argument('<container-id>', 'the container id')
    .action(async (id: string) => {
      const { start } = await import('../lifecycle/start');
      start(globals().root, id);
    });
}
