import type { Command } from 'commander';
import type { GlobalOptions } from './main';

export function register(program: Command, globals: () => GlobalOptions): void {
  program
    .command('state')
    .description('output the state of a container')
    .argument('<container-id>', 'the container id')
    .action(async (id: string) => {
      const { stateJson } = await import('../lifecycle/state');
      const { out } = await import('../output');
      out(stateJson(globals().root, id));
    });

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

  for (const [name, frozen, what] of [['pause', true, 'freeze every process of a container'], ['resume', false, 'thaw a paused container']] as const) {
    program
      .command(name)
      .description(what)
      .argument('<container-id>', 'the container id')
      .action(async (id: string) => {
        const { pause } = await import('../lifecycle/pause');
        pause(globals().root, id, frozen);
      });
  }

  program
    .command('ps')
    .description('list the processes of a container')
    .argument('<container-id>', 'the container id')
    .argument('[ps-args...]', 'arguments for ps (default -ef)')
    .option('-f, --format <format>', 'table or json', 'table')
    .passThroughOptions()
    .action(async (id: string, psArgs: string[], o: { format: string }) => {
      const { MiniRunError } = await import('../errors');
      if (o.format !== 'table' && o.format !== 'json') {
        throw new MiniRunError('USAGE', `--format: must be table or json, got "${o.format}"`);
      }
      const { psText } = await import('../lifecycle/ps');
      const { out } = await import('../output');
      out(psText(globals().root, id, o.format, psArgs));
    });

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
