import type { Command } from 'commander';
import type { Globals } from './globals';

export function register(program: Command, globals: Globals): void {
  program
    .command('kill')
    .description('send a signal (default SIGTERM) to the container init')
    .argument('<container-id>', 'the container id')
    .argument('[signal]', 'signal name or number', 'SIGTERM')
    .option('-a, --all', 'send the signal to every process of the container')
    .action(async (id: string, signal: string, o: { all?: boolean }) => {
      const { kill } = await import('../lifecycle/kill');
      kill(globals().root, id, signal, o.all === true);
    });
}
