// `minirun run` against `runc run` on the same bundle (runc's default spec,
// busybox fixture rootfs): same stdout, same exit status, nothing left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRunc, isRoot, normaliseMountinfo, Sandbox } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

suite('minirun run matches runc run', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create();
  });
  afterAll(() => sb?.cleanup());

  const probes: [string, string[]][] = [
    ['id', ['id']],
    ['hostname', ['hostname']],
    ['pid', ['sh', '-c', 'echo $$']],
    ['pwd', ['pwd']],
    ['env', ['env']],
    ['umask', ['sh', '-c', 'umask']],
    ['ulimit -n', ['sh', '-c', 'ulimit -n']],
    ['ls /dev', ['ls', '-l', '/dev']],
    ['ls /proc/1/ns', ['ls', '/proc/1/ns']],
    ['capabilities', ['sh', '-c', 'grep -E "^(Cap|NoNewPrivs)" /proc/self/status']],
    ['masked path', ['cat', '/proc/keys']],
    ['masked dir', ['ls', '/proc/acpi']],
    ['readonly path', ['sh', '-c', 'echo 1 > /proc/sys/kernel/domainname; echo status=$?']],
    ['read-only root', ['touch', '/newfile']],
    ['exit 7', ['sh', '-c', 'exit 7']],
    ['kill -TERM $$ (pid 1 ignores it)', ['sh', '-c', 'kill -TERM $$; echo survived']],
    ['killed by a signal', ['sh', '-c', 'trap - TERM; sleep 5 & kill -KILL $$']],
    ['fds', ['ls', '/proc/self/fd']],
    ['probe caps', ['/bin/probe', 'caps']],
    ['probe ids', ['/bin/probe', 'ids']],
    ['probe rlimits', ['/bin/probe', 'rlimits']],
    ['probe fds', ['/bin/probe', 'fds']],
    ['stdin is copied in', ['sh', '-c', 'read line; echo "got $line"']],
    ['stderr stays separate', ['sh', '-c', 'echo out; echo err >&2']],
  ];

  for (const [name, args] of probes) {
    it(name, () => {
      sb.setArgs(args);
      const { runc, minirun } = sb.runBoth();
      // pipe:[inode] numbers differ from run to run, and ls's times may cross a minute; kinds must not.
      const norm = (s: string) => s.replace(/:\[\d+\]/g, ':[N]').replace(/\w{3} +\d+ \d\d:\d\d/g, 'DATE');
      expect(norm(minirun.stdout)).toBe(norm(runc.stdout));
      expect(minirun.stderr).toBe(runc.stderr);
      expect(minirun.code).toBe(runc.code);
      expect(sb.residue()).toEqual([]);
    });
  }

  it('mount points and options in /proc/self/mountinfo', () => {
    sb.setArgs(['cat', '/proc/self/mountinfo']);
    const { runc, minirun } = sb.runBoth();
    expect(minirun.code).toBe(0);
    expect(normaliseMountinfo(minirun.stdout)).toEqual(normaliseMountinfo(runc.stdout));
  });

  it('a missing program fails the run with exit 1 and the name', () => {
    sb.setArgs(['no-such-program']);
    const { runc, minirun } = sb.runBoth();
    expect(runc.code).toBe(1);
    expect(minirun.code).toBe(1);
    expect(minirun.stderr).toMatch(/^minirun: exec: "no-such-program": executable file not found in \$PATH/);
    expect(minirun.stderr.trim().split('\n')).toHaveLength(1);
    expect(sb.residue()).toEqual([]);
  });
});
