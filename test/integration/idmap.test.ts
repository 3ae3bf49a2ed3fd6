// Id-mapped bind mounts: the idmap/ridmap mount options and per-mount
// uidMappings/gidMappings (runtime-spec 1.1), with and without a container
// user namespace, and with a user namespace joined by path. runc 1.1.5 does
// not know them and silently binds without a mapping: each test shows that
// too, as the deliberate difference it is (minirun follows runc 1.2).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasRunc, isRoot, type Result, Sandbox } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

const USERNS_MAPS = {
  uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
  gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
};

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

function owner(file: string): string {
  const st = fs.statSync(file);
  return `${st.uid}:${st.gid}`;
}

suite('id-mapped mounts', () => {
  let sb: Sandbox;
  let src: string;
  let pristine: Record<string, any>;
  let holder: ChildProcess | undefined;

  beforeAll(async () => {
    sb = await Sandbox.create(['true']);
    // the container's root (host uid 100000) has to reach the rootfs
    fs.chmodSync(sb.dir, 0o755);
    pristine = sb.config();
    // host: f owned by 1000:1000, and a tmpfs submount with g owned by 1000:1000
    src = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-idmap-src-'));
    fs.chmodSync(src, 0o755);
    fs.writeFileSync(path.join(src, 'f'), 'f\n');
    fs.chownSync(path.join(src, 'f'), 1000, 1000);
    fs.mkdirSync(path.join(src, 'sub'));
    run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', path.join(src, 'sub')]);
    fs.writeFileSync(path.join(src, 'sub/g'), 'g\n');
    fs.chownSync(path.join(src, 'sub/g'), 1000, 1000);
  });

  afterEach(() => {
    holder?.kill('SIGKILL');
    holder = undefined;
    for (const n of fs.readdirSync(src)) if (!['f', 'sub'].includes(n)) fs.rmSync(path.join(src, n), { force: true });
  });

  afterAll(() => {
    sb?.cleanup();
    if (src) {
      spawnSync('umount', [path.join(src, 'sub')]);
      fs.rmSync(src, { recursive: true, force: true });
    }
  });

  function both(
    mount: Record<string, unknown>,
    script: string,
    edit?: (c: any) => void,
  ): { minirun: Result; runc: Result } {
    sb.setConfig(structuredClone(pristine));
    sb.edit((c) => {
      c.mounts.push({ destination: '/mnt', type: 'bind', source: src, ...mount });
      c.process.args = ['sh', '-c', script];
      edit?.(c);
    });
    const r = sb.runBoth('');
    expect(sb.residue()).toEqual([]);
    // nothing on the host was chowned
    expect([owner(path.join(src, 'f')), owner(path.join(src, 'sub/g'))]).toEqual(['1000:1000', '1000:1000']);
    return r;
  }

  const withUserns = (c: any) => {
    c.linux.namespaces.push({ type: 'user' });
    Object.assign(c.linux, structuredClone(USERNS_MAPS));
  };
  const STAT = 'stat -c "%n %u:%g" /mnt/f /mnt/sub/g';

  it('idmap with its own mappings, no user namespace: host uid 1000 shows as 2000 inside', () => {
    const maps = {
      uidMappings: [{ containerID: 1000, hostID: 2000, size: 1 }],
      gidMappings: [{ containerID: 1000, hostID: 3000, size: 1 }],
    };
    const { minirun, runc } = both({ options: ['rbind', 'idmap'], ...maps }, STAT);
    expect(minirun.stderr).toBe('');
    // idmap maps the bind itself, not the tmpfs below it
    expect(minirun.stdout).toBe('/mnt/f 2000:3000\n/mnt/sub/g 1000:1000\n');
    // runc 1.1.5 ignores the mapping
    expect(runc.stdout).toBe('/mnt/f 1000:1000\n/mnt/sub/g 1000:1000\n');
  });

  it('mappings without "idmap" or "ridmap" are taken as idmap, as runc 1.2 takes them', () => {
    const maps = {
      uidMappings: [{ containerID: 1000, hostID: 2000, size: 1 }],
      gidMappings: [{ containerID: 1000, hostID: 3000, size: 1 }],
    };
    const { minirun } = both({ options: ['rbind'], ...maps }, STAT);
    expect(minirun.stderr).toBe('');
    expect(minirun.stdout).toBe('/mnt/f 2000:3000\n/mnt/sub/g 1000:1000\n');
  });

  it('ridmap maps the submounts of an rbind too', () => {
    const maps = {
      uidMappings: [{ containerID: 1000, hostID: 2000, size: 1 }],
      gidMappings: [{ containerID: 1000, hostID: 3000, size: 1 }],
    };
    const { minirun } = both({ options: ['rbind', 'ridmap'], ...maps }, STAT);
    expect(minirun.stdout).toBe('/mnt/f 2000:3000\n/mnt/sub/g 2000:3000\n');
  });

  it('an id outside the mapping shows as the overflow id (65534)', () => {
    const maps = {
      uidMappings: [{ containerID: 0, hostID: 0, size: 1 }],
      gidMappings: [{ containerID: 0, hostID: 0, size: 1 }],
    };
    const { minirun } = both({ options: ['bind', 'idmap'], ...maps }, 'stat -c "%n %u:%g" /mnt /mnt/f');
    expect(minirun.stdout).toBe('/mnt 0:0\n/mnt/f 65534:65534\n');
  });

  it("in a user-namespaced container, idmap without mappings takes the container's: host 1000 is 1000 inside", () => {
    const { minirun, runc } = both({ options: ['rbind', 'ridmap'] }, `${STAT}; cat /proc/self/uid_map`, withUserns);
    expect(minirun.stderr).toBe('');
    expect(minirun.stdout).toMatch(/^\/mnt\/f 1000:1000\n\/mnt\/sub\/g 1000:1000\n\s+0\s+100000\s+65536\n$/);
    // runc 1.1.5 binds without a mapping: host 1000 is not mapped in the container
    expect(runc.stdout).toMatch(/^\/mnt\/f 65534:65534\n\/mnt\/sub\/g 65534:65534\n/);
  });

  it('without idmap the same container sees the overflow id, as with runc', () => {
    const { minirun, runc } = both({ options: ['rbind'] }, STAT, withUserns);
    expect(minirun.stdout).toBe('/mnt/f 65534:65534\n/mnt/sub/g 65534:65534\n');
    expect(minirun.stdout).toBe(runc.stdout);
  });

  it('a file the container root makes through the mapping is owned by host root, not 100000', () => {
    const { minirun } = both(
      { options: ['rbind', 'idmap'] },
      'echo x > /mnt/new && stat -c "%u:%g" /mnt/new',
      withUserns,
    );
    expect(minirun.stdout).toBe('0:0\n');
    expect(owner(path.join(src, 'new'))).toBe('0:0');
  });

  it("the mount's own mappings win over the container's", () => {
    const maps = {
      uidMappings: [{ containerID: 1000, hostID: 100005, size: 1 }],
      gidMappings: [{ containerID: 1000, hostID: 100006, size: 1 }],
    };
    const { minirun } = both({ options: ['rbind', 'idmap'], ...maps }, 'stat -c "%n %u:%g" /mnt/f', withUserns);
    expect(minirun.stdout).toBe('/mnt/f 5:6\n');
  });

  it('a user namespace joined by path gives its mapping to idmap', async () => {
    holder = spawn('unshare', ['--user', 'sleep', '60'], { stdio: 'ignore' });
    const pid = holder.pid!;
    // wait until the holder is in its own user namespace, then map it from here
    const mine = fs.readlinkSync('/proc/self/ns/user');
    for (let i = 0; i < 100 && [mine, ''].includes(readlinkOr(`/proc/${pid}/ns/user`)); i++)
      await new Promise((r) => setTimeout(r, 20));
    fs.writeFileSync(`/proc/${pid}/uid_map`, '0 200000 65536\n');
    fs.writeFileSync(`/proc/${pid}/gid_map`, '0 200000 65536\n');
    sb.setConfig(structuredClone(pristine));
    sb.edit((c) => {
      c.linux.namespaces.push({ type: 'user', path: `/proc/${pid}/ns/user` });
      c.mounts.push({ destination: '/mnt', type: 'bind', source: src, options: ['rbind', 'idmap'] });
      c.process.args = ['sh', '-c', 'stat -c "%n %u:%g" /mnt/f; cat /proc/self/uid_map'];
    });
    const r = sb.minirun(['run', `idmap-join-${process.pid}`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^\/mnt\/f 1000:1000\n\s+0\s+200000\s+65536\n$/);
    expect(sb.residue()).toEqual([]);
  });
});

function readlinkOr(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch {
    return '';
  }
}
