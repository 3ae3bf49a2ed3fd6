import type { Command } from 'commander';
import type { Globals } from './globals';

export function register(program: Command, globals: Globals): void {
  program
    .command('ps')
    .description('list the processes of a container')
    .argument('<container-id>', 'the container id')
    .argument('[ps-args...]', 'arguments for ps (default -ef)')
    .option('-f, --format <format>', 'table or json', 'table')
    .passThroughOptions()
    .action(async (id: string, psArgs: string[], o: { format: string }) => {
      const { tableOrJson } = await import('./format');
      const format = tableOrJson(o.format);
      const { psText } = await import('../lifecycle/ps');
      const { out } = await import('../output');
      out(psText(globals().root, id, format, psArgs));
    });
}
