// A rootless `minirun image unpack`: test users (made here, removed after,
// with their /etc/subuid and /etc/subgid lines; every other line is left as
// it was) unpack an image with files of uid/gid 0, 1000 and 65534, device
// nodes, a fifo, a setuid file and a file capability. With a subordinate
// range, the tree is root's unpack with each owner mapped through the
// user's maps (rootlessMappings/toHost, as minirun maps them) and the device
// nodes left out, each with a note; the file capability is a v3 one, whose
// root is the user. An owner outside the range fails. Without a range, all
// is the user's, with one note a kind. config.json is root's changed as
// `runc spec --rootless` changes runc's, and runc runs it as the user.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IdMapping, rootlessMappings, toHost } from '../../src/image/idmap';
import { toRootlessWith } from '../../src/config/rootless-spec';
import { exec, hasRunc, isRoot, MINIRUN, Sandbox, uniqueId } from './harness';
import { dump, imageConfig, sh, tarOf, unpack, writeLayout } from './image-fixtures';

const SUBID_FILES = ['/etc/subuid', '/etc/subgid'];
const hasUidmap = spawnSync('newuidmap', []).error === undefined;
const RANGE = 65536;

/** Takes the lines of `users` out of /etc/subuid and /etc/subgid; every other line stays as it is. */
function dropSubIds(users: string[]): void {
  for (const f of SUBID_FILES) {
    if (!fs.existsSync(f)) continue;
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    const kept = lines.filter((l) => !users.includes(l.split(':')[0]));
    if (kept.length !== lines.length) fs.writeFileSync(f, kept.join('\n'));
  }
}

/** The first id after every range of both files (at least 100000), rounded up to a range. */
function freeStart(): number {
  let end = 100000;
  for (const f of SUBID_FILES)
    for (const l of fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n') : []) {
      const [, start, count] = l.split(':');
      if (count !== undefined) end = Math.max(end, Number(start) + Number(count));
    }
  return Math.ceil(end / RANGE) * RANGE;
}

function idOf(user: string, flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
}

type DumpEntry = { path: string; mode: string; uid: number; gid: number; xattrs: Record<string, string> };

/** A v2 security.capability as the kernel shows a v3 one set in a namespace whose root is `rootUid`. */
function asV3(hex: string, rootUid: number): string {
  const b = Buffer.from(hex, 'hex');
  if (b.readUInt32LE(0) >>> 24 !== 2) return hex;
  const v3 = Buffer.alloc(24);
  b.copy(v3);
  v3.writeUInt32LE(((b.readUInt32LE(0) & 0xffffff) | 0x03000000) >>> 0, 0);
  v3.writeUInt32LE(rootUid, 20);
  return v3.toString('hex');
}

const isDevice = (e: DumpEntry) => /^0o(2|6)0/.test(e.mode);

/** Root's tree as a rootless unpack with these maps makes it: owners mapped, no device nodes. */
function mapped(tree: DumpEntry[], uids: IdMapping[], gids: IdMapping[]): DumpEntry[] {
  return tree
    .filter((e) => !isDevice(e))
    .map((e) => {
      const xattrs = { ...e.xattrs };
      if (xattrs['security.capability'])
        xattrs['security.capability'] = asV3(xattrs['security.capability'], uids[0].hostID);
      return { ...e, uid: toHost(uids, e.uid) as number, gid: toHost(gids, e.gid) as number, xattrs };
    });
}

const config = (bundle: string) => JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));

describe.skipIf(!isRoot || !hasUidmap)('image unpack, rootless', () => {
  let sb: Sandbox;
  let w: string;
  const users = { ranged: `mri${process.pid}r`, plain: `mri${process.pid}p` };
  let start: number;
  /** a directory each user may write in */
  const outOf = (user: string) => path.join(w, `out-${user}`);
  const asUser = (user: string, args: string[]) =>
    exec('runuser', ['-u', user, '--', MINIRUN, 'image', 'unpack', ...args], { timeoutMs: 120_000 });

  beforeAll(async () => {
    sb = await Sandbox.create();
    w = sb.dir;
    fs.chmodSync(w, 0o755);
    for (const u of Object.values(users)) {
      execFileSync('useradd', ['-M', '-s', '/usr/sbin/nologin', u]);
      fs.mkdirSync(outOf(u));
      fs.chownSync(outOf(u), idOf(u, '-u'), idOf(u, '-g'));
    }
    // useradd gives a new user ranges of its own: the tests set their own
    dropSubIds(Object.values(users));
    start = freeStart();
    for (const f of SUBID_FILES) fs.appendFileSync(f, `${users.ranged}:${start}:${RANGE}\n`);
    sh(`cd ${w}
      umoci init --layout img
      umoci new --image img:empty
      umoci unpack --image img:empty u1
      cp -a bundle/rootfs/. u1/rootfs/
      mkdir -p u1/rootfs/home/app u1/rootfs/nobody u1/rootfs/d
      echo hello > u1/rootfs/home/app/f && ln u1/rootfs/home/app/f u1/rootfs/home/app/hard
      chown -R 1000:1000 u1/rootfs/home/app && chmod 4750 u1/rootfs/home/app/f
      echo n > u1/rootfs/nobody/f && chown -R 65534:65534 u1/rootfs/nobody && chown 0:65534 u1/rootfs/nobody/f
      mknod u1/rootfs/d/null c 1 3 && mknod u1/rootfs/d/loop b 7 0 && mkfifo u1/rootfs/d/fifo
      echo cap > u1/rootfs/d/capfile
      python3 -c "import os; os.setxattr('u1/rootfs/d/capfile', 'security.capability', bytes([1,0,0,2,0x80,0x20,0,0,0,0,0,0,0,0,0,0,0,0,0,0])); os.setxattr('u1/rootfs/nobody/f', 'user.k', b'v')"
      umoci repack --image img:base u1
      umoci config --image img:base --tag v1 --config.cmd /bin/sh --config.cmd -c --config.cmd 'id -u; stat -c %u:%g /home/app/f /nobody'
      chmod -R a+rX img
    `);
  }, 300_000);

  afterAll(() => {
    for (const u of Object.values(users)) spawnSync('userdel', [u]);
    dropSubIds(Object.values(users));
    sb?.cleanup();
  });

  it('maps the owners through the subordinate range, leaves out device nodes with a note each', () => {
    const uid = idOf(users.ranged, '-u');
    const gid = idOf(users.ranged, '-g');
    const uids = rootlessMappings(uid, [{ start, count: RANGE }]);
    const gids = rootlessMappings(gid, [{ start, count: RANGE }]);
    const asRoot = path.join(w, 'root');
    const rootless = path.join(outOf(users.ranged), 'b');
    expect(unpack([`${w}/img:v1`, asRoot])).toMatchObject({ code: 0, stderr: '' });
    const r = asUser(users.ranged, [`${w}/img:v1`, rootless]);
    expect(r.code).toBe(0);
    expect(r.stderr.trimEnd().split('\n').sort()).toEqual([
      expect.stringMatching(/^minirun: warning: layer 0 sha256:[0-9a-f]+: "d\/loop": block device 7:0 not made /),
      expect.stringMatching(/^minirun: warning: layer 0 sha256:[0-9a-f]+: "d\/null": character device 1:3 not made /),
    ]);
    const tree = dump(path.join(rootless, 'rootfs')) as DumpEntry[];
    expect(tree).toEqual(mapped(dump(path.join(asRoot, 'rootfs')) as DumpEntry[], uids, gids));
    // what it says: 0 is the user, 1000 and 65534 are in the range
    const owner = (p: string) => tree.find((e) => e.path === p);
    expect(owner('.')).toMatchObject({ uid, gid });
    expect(owner('home/app/f')).toMatchObject({ uid: start + 999, gid: start + 999 });
    expect(owner('nobody')).toMatchObject({ uid: start + 65533, gid: start + 65533 });

    const c = config(rootless);
    expect(c).toEqual(toRootlessWith(config(asRoot), uids, gids));
    expect(c.linux.uidMappings).toEqual([
      { containerID: 0, hostID: uid, size: 1 },
      { containerID: 1, hostID: start, size: RANGE },
    ]);
    expect(c.linux.namespaces.map((n: { type: string }) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'user']);
    expect(fs.statSync(path.join(rootless, 'config.json')).uid).toBe(uid);
  });

  it.skipIf(!hasRunc)('its bundle runs with runc as the user (runc spec --rootless is the model)', () => {
    const bundle = path.join(outOf(users.ranged), 'b');
    const cfg = path.join(bundle, 'config.json');
    const c = config(bundle);
    c.process.terminal = false;
    fs.writeFileSync(cfg, JSON.stringify(c));
    const state = path.join(outOf(users.ranged), 'runc');
    const r = exec('runuser', ['-u', users.ranged, '--', 'runc', '--root', state, 'run', uniqueId('rl')], {
      cwd: bundle,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('0\n1000:1000\n65534:65534\n');
    expect(r.code).toBe(0);
  });

  it('refuses an owner outside the range with one line, leaving nothing', async () => {
    const l = await tarOf([
      { name: 'ok', body: 'x', uid: 65536, gid: 1 },
      { name: 'far', body: 'x', uid: 70000, gid: 0 },
    ]);
    writeLayout(path.join(w, 'far'), { layers: [l], config: imageConfig([l], ['sh']) }, 't');
    sh(`chmod -R a+rX ${w}/far`);
    const bundle = path.join(outOf(users.ranged), 'far');
    const r = asUser(users.ranged, [`${w}/far:t`, bundle]);
    expect(r.stderr).toMatch(
      /^minirun: layer 0 sha256:[0-9a-f]+: "far": owner uid 70000 is outside the uids this user may use \(0, 1-65536: \/etc\/subuid\): refused\n$/,
    );
    expect(r.code).toBe(1);
    expect(fs.existsSync(bundle)).toBe(false);
  });

  it("without subordinate ids, everything is the user's own, with one note a kind", () => {
    const uid = idOf(users.plain, '-u');
    const gid = idOf(users.plain, '-g');
    const bundle = path.join(outOf(users.plain), 'b');
    const r = asUser(users.plain, [`${w}/img:v1`, bundle]);
    expect(r.code).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => / device .* not made /.test(l))).toHaveLength(2);
    expect(lines.filter((l) => !/ device .* not made /.test(l))).toEqual([
      expect.stringMatching(
        /^minirun: warning: no subordinate uids for this user in \/etc\/subuid: \d+ entries owned by uid 1000, 65534 are the user's own/,
      ),
      expect.stringMatching(
        /^minirun: warning: no subordinate gids for this user in \/etc\/subgid: \d+ entries owned by gid 1000, 65534 are the user's own/,
      ),
    ]);
    const tree = dump(path.join(bundle, 'rootfs')) as DumpEntry[];
    expect(tree.filter((e) => e.uid !== uid || e.gid !== gid)).toEqual([]);
    expect(tree.find((e) => e.path === 'home/app/f')?.mode).toBe('0o104750');
    const c = config(bundle);
    expect(c.linux.uidMappings).toEqual([{ containerID: 0, hostID: uid, size: 1 }]);
    expect(c.linux.gidMappings).toEqual([{ containerID: 0, hostID: gid, size: 1 }]);
  });
});
