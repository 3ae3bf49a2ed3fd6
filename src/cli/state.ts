import type { Command } from 'commander';
import type { Globals } from './globals';

export function register(program: Command, globals: Globals): void {
  program
    .command('state')
    .description('output the state of a container')
    .argument('<container-id>', 'the container id')
    .action(async (id: string) => {
      const { stateJson } = await import('../lifecycle/state');
      const { out } = await import('../output');
      out(stateJson(globals().root, id));
    });
}
