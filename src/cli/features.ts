import type { Command } from 'commander';
import { VERSION } from '../version';

export function register(program: Command): void {
  program
    .command('features')
    .description('show the runtime-spec features minirun implements (JSON)')
    .action(async () => {
      const { features } = await import('../lifecycle/features');
      const { out } = await import('../output');
      out(`${JSON.stringify(features(VERSION), null, '    ')}\n`);
    });
}
