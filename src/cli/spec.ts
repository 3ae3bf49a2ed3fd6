import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('spec')
    .description('create a new specification file (config.json), as runc spec does')
    .option('-b, --bundle <dir>', 'where to write config.json (default: the current directory)')
    .option('--rootless', 'a spec for a rootless container (the caller mapped to root in a user namespace)')
    .action(async (o: { bundle?: string; rootless?: boolean }) => {
      const fs = await import('node:fs');
      const path = await import('node:path');
      const { MiniRunError } = await import('../errors');
      const { defaultSpec } = await import('../config/default');
      const { isCgroup2Unified } = await import('../cgroups/mounts');
      let spec = defaultSpec({ cgroupNs: isCgroup2Unified() });
      if (o.rootless) {
        const { toRootless } = await import('../config/rootless-spec');
        spec = toRootless(spec, process.geteuid!(), process.getegid!());
      }
      const file = path.join(o.bundle ?? '.', 'config.json');
      try {
        fs.writeFileSync(file, JSON.stringify(spec, null, '\t'), { flag: 'wx', mode: 0o666 });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new MiniRunError('USAGE', `File ${file} exists. Remove it first`);
        throw new MiniRunError('USAGE', `cannot write ${file}: ${code}`);
      }
    });
}
