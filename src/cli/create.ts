import type { Command } from 'commander';
import { addContainerOptions, containerOptions } from './container-options';
import type { Globals } from './globals';

export function register(program: Command, globals: Globals): void {
  addContainerOptions(
    program
      .command('create')
      .description('create a container: set everything up, but do not run the process until start'),
  ).action(async (id: string, o: Record<string, unknown>) => {
    const { create } = await import('../lifecycle/create');
    create(await containerOptions(globals().root, id, o, globals().systemdCgroup));
  });
}
