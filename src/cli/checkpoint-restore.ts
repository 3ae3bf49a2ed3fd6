// `checkpoint` and `restore`: accepted as runc has them, and refused (minirun
// has no CRIU support). One stub, named twice.
import type { Command } from 'commander';

export function register(program: Command): void {
  for (const name of ['checkpoint', 'restore']) {
    program
      .command(name)
      .description(`${name} a container (not supported yet: minirun has no CRIU support)`)
      .argument('[container-id]')
      .allowUnknownOption()
      .allowExcessArguments()
      .action(async () => {
        const { MiniRunError } = await import('../errors');
        throw new MiniRunError('USAGE', `${name}: not supported yet (minirun has no CRIU support)`);
      });
  }
}
