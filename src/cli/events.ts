import type { Command } from 'commander';
import type { Globals } from './globals';

export function register(program: Command, globals: Globals): void {
  program
    .command('events')
    .description("display a container's resource usage statistics and OOM notifications")
    .argument('<container-id>', 'the container id')
    .option('--interval <duration>', 'the stats collection interval', '5s')
    .option('--stats', "display the container's stats, then exit")
    .action(async (id: string, o: { interval: string; stats?: boolean }) => {
      const ev = await import('../lifecycle/events');
      const { MiniRunError } = await import('../errors');
      const interval = ev.parseInterval(o.interval);
      if (interval <= 0) throw new MiniRunError('USAGE', '--interval: must be greater than 0');
      if (o.stats) {
        const { out } = await import('../output');
        out(ev.statsOnce(globals().root, id));
        return;
      }
      await ev.stream(globals().root, id, interval);
    });
}
