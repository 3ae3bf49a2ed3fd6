import type { Command } from 'commander';
import type { Globals } from './globals';

export function register(program: Command, globals: Globals): void {
  program
    .command('pause')
    .description('freeze every process of a container')
    .argument('<container-id>', 'the container id')
    .action(async (id: string) => {
      const { pause } = await import('../lifecycle/pause');
      pause(globals().root, id, true);
    });
}
