import type { Command } from 'commander';
import type { Globals } from './globals';

export function register(program: Command, globals: Globals): void {
  program
    .command('delete')
    .description('delete a stopped container (with --force, a running one too)')
    .argument('<container-id>', 'the container id')
    .option('-f, --force', 'kill the container first if it is running')
    .action(async (id: string, o: { force?: boolean }) => {
      const { remove } = await import('../lifecycle/delete');
      remove(globals().root, id, o.force === true);
    });
}
