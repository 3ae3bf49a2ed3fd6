import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/main';
import type { GlobalOptions } from '../../src/cli/globals';

// main.ts loads only the file of the command it runs, found by name in
// COMMANDS; so each file must register exactly the names its entry gives.
describe('cli: the command table', () => {
  const globals = (): GlobalOptions => ({
    root: '/nonexistent',
    logFormat: 'text',
    debug: false,
    systemdCgroup: false,
    rootless: 'auto',
  });

  it.each(COMMANDS.map(([names, load]) => [names.join(' '), names, load] as const))(
    '%s: its file registers these names',
    async (_, names, load) => {
      const program = new Command().enablePositionalOptions();
      (await load()).register(program, globals);
      expect(program.commands.flatMap((c) => [c.name(), ...c.aliases()])).toEqual(names);
    },
  );

  it('names no command twice', () => {
    const all = COMMANDS.flatMap(([names]) => names);
    expect(new Set(all).size).toBe(all.length);
  });
});
