import type { Command } from 'commander';
import type { Globals } from './globals';

export function register(program: Command, globals: Globals): void {
  program
    .command('list')
    .alias('ls')
    .description('list the containers under --root')
    .option('-f, --format <format>', 'table or json', 'table')
    .option('-q, --quiet', 'only the container ids')
    .action(async (o: { format: string; quiet?: boolean }) => {
      const { tableOrJson } = await import('./format');
      const format = tableOrJson(o.format);
      const { listText } = await import('../lifecycle/list');
      const { out } = await import('../output');
      out(listText(globals().root, format, o.quiet === true));
    });
}
