// The runc-compatible command line. Each command lives in its own file and
// loads what it needs only when it runs.
import { Command, CommanderError } from 'commander';
import { err, out } from '../output';
import { logError } from './log';
import { VERSION, versionText } from '../version';
import { loadAddon, loadedAddon } from '../native/loader';
import type { GlobalOptions, Globals } from './globals';

/** The commands whose failures runc words as "<command> failed: <error>". */
const FAILED_FORM = new Set(['run', 'create', 'exec']);

/**
 * Every command, in the order `minirun --help` lists them: its names (with
 * aliases) and its file, loaded only when it is needed.
 */
export const COMMANDS: [
  names: string[],
  load: () => Promise<{ register(program: Command, globals: Globals): void }>,
][] = [
  [['run'], () => import('./run')],
  [['spec'], () => import('./spec')],
  [['image'], () => import('./image')],
  [['features'], () => import('./features')],
  [['state'], () => import('./state')],
  [['kill'], () => import('./kill')],
  [['pause'], () => import('./pause')],
  [['resume'], () => import('./resume')],
  [['ps'], () => import('./ps')],
  [['delete'], () => import('./delete')],
  [['create'], () => import('./create')],
  [['start'], () => import('./start')],
  [['list', 'ls'], () => import('./list')],
  [['exec'], () => import('./exec')],
  [['update'], () => import('./update')],
  [['events'], () => import('./events')],
  [['checkpoint', 'restore'], () => import('./checkpoint-restore')],
];

/**
 * The first word that is not a global option (those with a value take the
 * next word): the command, or -h, --help, -v, --version; undefined if there is none.
 */
function firstWord(args: string[]): string | undefined {
  const withValue = new Set(['--root', '--log', '--log-format', '--criu', '--rootless']);
  for (let i = 0; i < args.length; i++) {
    if (withValue.has(args[i])) i++;
    else if (!args[i].startsWith('-')) return args[i];
    else if (['-h', '--help', '-v', '--version'].includes(args[i])) return args[i];
  }
  return undefined;
}

/** The commands that move a process into a cgroup, whose kernel wait for that starts with them (cgroups/warm.ts). */
const MOVE_A_PROCESS = new Set(['run', 'create', 'exec']);

export async function main(argv: string[]): Promise<void> {
  const word = firstWord(argv.slice(2));
  // not for the systemd driver's run and create: systemd moves their init
  if (word && MOVE_A_PROCESS.has(word) && (word === 'exec' || !argv.includes('--systemd-cgroup'))) {
    const { warmCgroupMoves } = await import('../cgroups/warm');
    try {
      warmCgroupMoves(loadAddon());
    } catch {
      // an addon that does not load fails the command where it is needed
    }
  }
  const { defaultRoot, prepareXdgRoot, setRootlessFlag } = await import('../lifecycle/rootless');
  const root = defaultRoot();
  const program = new Command();
  program
    .name('minirun')
    .description('a small OCI container runtime, command-line compatible with runc')
    .option('--root <dir>', 'root directory for container state', root.root)
    .option('--log <file>', 'log file (default: stderr)')
    .option('--log-format <format>', 'log format: text or json', 'text')
    .option('--debug', 'enable debug logging', false)
    .option(
      '--systemd-cgroup',
      'use the systemd cgroup driver: cgroupsPath is "slice:prefix:name", the cgroup a transient systemd unit\'s (cgroup v1 or v2)',
      false,
    )
    .option('--rootless <value>', "ignore cgroup permission errors: 'true', 'false' or 'auto'", 'auto')
    .option(
      '--criu <path>',
      'path to criu (accepted for runc compatibility: checkpoint and restore are not supported yet)',
      'criu',
    )
    .option('-v, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out(s),
      writeErr: (s) => err(s),
      outputError: (s) => err(`minirun: ${s.replace(/^error: /, '').trimEnd()}\n`),
    })
    .showHelpAfterError(false)
    .enablePositionalOptions();

  // As commander's .version(), but the text (which loads the addon) is made only when asked for.
  program.on('option:version', () => {
    out(`${versionText()}\n`);
    throw new CommanderError(0, 'commander.version', 'printed the version');
  });

  // The command whose action runs, to word its failure as runc does.
  let action = '';
  program.hook('preAction', async (_program, actionCommand) => {
    // As parsed, before the checks below: --log-format may be any word yet.
    const g = program.opts<Omit<GlobalOptions, 'logFormat'> & { logFormat: string }>();
    const { MiniRunError } = await import('../errors');
    if (g.logFormat !== 'text' && g.logFormat !== 'json') {
      throw new MiniRunError('USAGE', `--log-format: must be text or json, got "${g.logFormat}"`);
    }
    if (!['true', 'false', 'auto'].includes(g.rootless)) {
      throw new MiniRunError('USAGE', `--rootless: must be true, false or auto, got "${g.rootless}"`);
    }
    setRootlessFlag(g.rootless);
    if (root.xdg && program.getOptionValueSource('root') === 'default') {
      const failed = prepareXdgRoot(g.root);
      if (failed) throw new MiniRunError('STATE', failed);
    }
    const { enableDebug, debug, setLog } = await import('../log');
    setLog(g.log, g.logFormat === 'json');
    if (g.debug) {
      enableDebug(g.log, g.logFormat === 'json');
      debug(`minirun ${VERSION}: ${process.argv.slice(2).join(' ')}`);
    }
    action = actionCommand.name();
  });

  // A command's own file is all that is loaded to run it; the help (and a
  // word that is no command) needs them all.
  const own = COMMANDS.filter(([names]) => word !== undefined && names.includes(word));
  const globals: Globals = () => program.opts<GlobalOptions>();
  for (const [, load] of own.length > 0 ? own : COMMANDS) (await load()).register(program, globals);

  // As runc (urfave/cli): `help [command]` (or `h`) prints the help; a
  // command that does not exist, also with -h or as `help foo`, is "No help
  // topic for 'foo'", exit status 3.
  const noHelpTopic = async (name: string) => {
    const { MiniRunError } = await import('../errors');
    return new MiniRunError('USAGE', `${name}: unknown command (No help topic for '${name}')`, 3);
  };
  program
    .command('help')
    .alias('h')
    .description('show the list of commands, or the help of one command')
    .argument('[command]')
    .allowExcessArguments()
    .action(async (name?: string) => {
      if (name === undefined) return out(program.helpInformation());
      const cmd = program.commands.find((c) => c.name() === name || c.aliases().includes(name));
      if (!cmd) throw await noHelpTopic(name);
      out(cmd.helpInformation());
    });
  // The program's own action runs only for a first word that is no command;
  // passThroughOptions keeps a -h after it from printing the general help.
  program
    .allowExcessArguments()
    .passThroughOptions()
    .action(async () => {
      throw await noHelpTopic(program.args[0]);
    });

  if (word === undefined) {
    // As runc: no command prints the help and succeeds.
    out(program.helpInformation());
    return;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return; // --help
      process.exitCode = e.exitCode || 1;
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    const { MiniRunError } = await import('../errors');
    const line = msg.split('\n')[0];
    // runc wraps every failure of run, create and exec ("runc run failed: ...",
    // "exec failed: ..."), and writes that line to stderr and as the --log msg;
    // so does minirun, with its name and the command ("minirun exec failed: ...").
    // Other errors are labelled `minirun: ` on stderr only. Clients that put the
    // runtime's name before its stderr (podman) then do not print it twice.
    const wrapped = FAILED_FORM.has(action) ? `minirun ${action} failed: ${line}` : undefined;
    err(`${wrapped ?? `minirun: ${line}`}\n`);
    logError(program.opts<GlobalOptions>(), wrapped ?? line);
    process.exitCode = e instanceof MiniRunError ? e.exitCode : 1;
  }
}

/**
 * Ends the process with process.exitCode once the command is done. Where the addon is loaded
 * (every command that made or touched a container), at once with _exit(2): Node's own exit joins
 * its platform's threads and tears its heap down (~2 ms of CPU), and minirun has nothing left to
 * flush (its writes are synchronous: fs.writeSync).
 */
export function exit(): never {
  const code = process.exitCode;
  loadedAddon()?.exitNow(typeof code === 'number' ? code : Number(code ?? 0));
  process.exit();
}
