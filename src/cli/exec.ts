import type { Command } from 'commander';
import type { Globals } from './globals';

const collect = (v: string, acc: string[]) => [...acc, v];

export function register(program: Command, globals: Globals): void {
  program
    .command('exec')
    .description('run a new process inside a running container')
    .argument('<container-id>', 'the container id')
    .argument('[command...]', 'the command and its arguments')
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable)', collect, [])
    .option('--cwd <dir>', 'working directory inside the container')
    .option('-u, --user <uid[:gid]>', 'user (and group) to run as, numeric')
    .option('-g, --additional-gids <gid>', 'an additional group (repeatable)', collect, [])
    .option('-p, --process <file>', 'a process.json with the whole process section')
    .option('-d, --detach', 'detach from the process')
    .option('--pid-file <file>', 'write the process id to this file')
    .option('-c, --cap <cap>', 'add a capability (repeatable)', collect, [])
    .option('--no-new-privs', 'set no_new_privs for the process')
    .option('-t, --tty', 'allocate a pseudo-terminal')
    .option('--ignore-paused', 'exec in a paused container too (the process is frozen until resume)')
    .option('--console-socket <path>', 'unix socket that receives the pty master (with --tty)')
    .option('--apparmor <profile>', 'the AppArmor profile for the process')
    .option('--process-label <label>', 'the SELinux label for the process')
    .option(
      '--cgroup <[controller:]path>',
      "run the process in an existing sub-cgroup of the container's (repeatable)",
      collect,
      [],
    )
    .option('--preserve-fds <n>', "pass N more of minirun's fds (from 3, after LISTEN_FDS) to the process")
    .passThroughOptions()
    .action(async (id: string, command: string[], o: Record<string, unknown>) => {
      const { MiniRunError } = await import('../errors');
      try {
        globalThis.process.exitCode = await execAction(id, command, o, globals);
      } catch (e) {
        // runc exec exits 255 when it cannot run the process at all.
        if (e instanceof MiniRunError) throw e.exitingWith(255);
        throw e;
      }
    });
}

async function execAction(
  id: string,
  command: string[],
  o: Record<string, unknown>,
  globals: Globals,
): Promise<number> {
  const { MiniRunError } = await import('../errors');
  const { parsePreserveFds } = await import('../lifecycle/extra-fds');
  const num = (flag: string, v: string) => {
    if (!/^\d+$/.test(v) || Number(v) > 0x7fffffff)
      throw new MiniRunError('USAGE', `${flag}: must be a number between 0 and 2147483647, got "${v}"`);
    return Number(v);
  };
  let user: { uid: number; gid?: number } | undefined;
  if (typeof o.user === 'string') {
    const [u, g] = o.user.split(':', 2);
    user = { uid: num('--user', u), gid: g === undefined ? undefined : num('--user', g) };
  }
  for (const e of o.env as string[]) {
    if (!e.includes('=') || e.startsWith('=')) throw new MiniRunError('USAGE', `--env: must be KEY=VALUE, got "${e}"`);
  }
  let process;
  if (typeof o.process === 'string') {
    const { loadProcessFile } = await import('../config/load');
    process = loadProcessFile(o.process);
  } else if (command.length === 0) {
    throw new MiniRunError('USAGE', 'exec: a command to run is required (or --process)');
  }
  const { parseSubCgroups } = await import('../cgroups/sub');
  const subCgroups = parseSubCgroups(o.cgroup as string[]);
  const { execInContainer } = await import('../lifecycle/exec');
  return execInContainer({
    root: globals().root,
    id,
    detach: o.detach === true,
    ignorePaused: o.ignorePaused === true,
    pidFile: o.pidFile as string | undefined,
    consoleSocket: o.consoleSocket as string | undefined,
    preserveFds: parsePreserveFds(o.preserveFds as string | undefined),
    processFile: o.process as string | undefined,
    subCgroups,
    options: {
      process,
      args: command,
      cwd: o.cwd as string | undefined,
      env: o.env as string[],
      user,
      additionalGids: (o.additionalGids as string[]).map((g) => num('--additional-gids', g)),
      caps: o.cap as string[],
      noNewPrivs: o.newPrivs === false ? true : undefined,
      tty: o.tty === true,
      apparmorProfile: o.apparmor as string | undefined,
      selinuxLabel: o.processLabel as string | undefined,
    },
  });
}
