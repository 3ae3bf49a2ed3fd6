import type { Command } from 'commander';
import type { Globals } from './globals';

export function register(program: Command, globals: Globals): void {
  program
    .command('resume')
    .description('thaw a paused container')
    .argument('<container-id>', 'the container id')
    .action(async (id: string) => {
      // lifecycle/pause.ts freezes and thaws: resume is pause with frozen false
      const { pause } = await import('../lifecycle/pause');
      pause(globals().root, id, false);
    });
}
