import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MiniRunError } from '../../src/errors';
import { chooseImage } from '../../src/image/archive-choice';
import { runtimeSpec, setEnv } from '../../src/image/config';
import { classifyEntry, splitName } from '../../src/image/paths';
import { parsePlatform, parseSource, platformMatches } from '../../src/image/reference';
import { bytesText, progressLine } from '../../src/image/progress';
import { paxRecords, tarEntries } from '../../src/image/tar-entries';
import { parseGroup, parsePasswd, resolveUser } from '../../src/image/users';

const HEX = 'a'.repeat(64);

describe('image: SOURCE references', () => {
  const noFile = () => false;
  it('reads DIR:TAG and DIR@sha256:HEX', () => {
    expect(parseSource('/img/dir:latest', noFile)).toEqual({ kind: 'oci-layout', dir: '/img/dir', tag: 'latest' });
    expect(parseSource(`d@sha256:${HEX}`, noFile)).toEqual({ kind: 'oci-layout', dir: 'd', digest: `sha256:${HEX}` });
    expect(parseSource('a:b:v1.2', noFile)).toEqual({ kind: 'oci-layout', dir: 'a:b', tag: 'v1.2' });
  });
  it('takes a file as a docker-archive', () => {
    expect(parseSource('/x/img.tar', () => true)).toEqual({ kind: 'docker-archive', file: '/x/img.tar' });
  });
  it('takes FILE:REPO:TAG and FILE@sha256:ID as an image of a docker-archive', () => {
    const isFile = (p: string) => p === '/x/a:b.tar';
    expect(parseSource('/x/a:b.tar:reg:5000/busybox:1.36', isFile)).toEqual({
      kind: 'docker-archive',
      file: '/x/a:b.tar',
      choice: { tag: 'reg:5000/busybox:1.36' },
    });
    expect(parseSource(`/x/a:b.tar@sha256:${HEX}`, isFile)).toEqual({
      kind: 'docker-archive',
      file: '/x/a:b.tar',
      choice: { id: `sha256:${HEX}` },
    });
    expect(() => parseSource('/x/a:b.tar:busybox', isFile)).toThrow('"busybox" is not REPO:TAG');
    expect(() => parseSource('/x/a:b.tar:reg:5000/busybox', isFile)).toThrow('is not REPO:TAG');
    // the same text with no such file is a layout's DIR:TAG
    expect(parseSource('/x/a:b.tar:v1', noFile)).toEqual({ kind: 'oci-layout', dir: '/x/a:b.tar', tag: 'v1' });
  });
  it.each([
    ['dir', 'needs a tag or a digest'],
    ['./dir', 'needs a tag or a digest'],
    ['dir:a/b', 'needs a tag or a digest'],
    ['dir:-x', 'not a valid tag'],
    ['dir@sha256:abc', 'not a sha256 digest'],
    ['dir@md5:' + HEX, 'not a sha256 digest'],
  ])('refuses %s', (s, why) => {
    expect(() => parseSource(s, noFile)).toThrow(why);
  });
});

describe('image: platforms', () => {
  it('parses os/arch[/variant]', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(() => parsePlatform('linux')).toThrow('--platform');
    expect(() => parsePlatform('linux/amd64/v1/x')).toThrow('--platform');
  });
  it('matches os and arch, and a variant only when one is asked for', () => {
    const want = { os: 'linux', architecture: 'arm64' };
    expect(platformMatches({ os: 'linux', architecture: 'arm64', variant: 'v8' }, want)).toBe(true);
    expect(platformMatches({ os: 'linux', architecture: 'amd64' }, want)).toBe(false);
    expect(platformMatches(undefined, want)).toBe(false);
    expect(platformMatches({ os: 'linux', architecture: 'arm', variant: 'v6' }, parsePlatform('linux/arm/v7'))).toBe(
      false,
    );
  });
});

describe('image: entry names and whiteouts', () => {
  it('strips a leading / and ./, refuses ..', () => {
    expect(splitName('/etc//passwd', 'l')).toEqual(['etc', 'passwd']);
    expect(splitName('./a/./b/', 'l')).toEqual(['a', 'b']);
    expect(() => splitName('a/../../etc', 'l')).toThrow('".." component');
    expect(() => splitName('..', 'l')).toThrow(MiniRunError);
  });
  it('recognises whiteouts and opaque markers', () => {
    expect(classifyEntry('./', 'l')).toEqual({ kind: 'root' });
    expect(classifyEntry('a/b', 'l')).toEqual({ kind: 'plain', parts: ['a', 'b'] });
    expect(classifyEntry('a/.wh.b', 'l')).toEqual({ kind: 'whiteout', parts: ['a', 'b'] });
    expect(classifyEntry('a/.wh..wh..opq', 'l')).toEqual({ kind: 'opaque', parts: ['a'] });
    expect(classifyEntry('.wh..wh..opq', 'l')).toEqual({ kind: 'opaque', parts: [] });
    expect(classifyEntry('.wh..wh.plnk/1', 'l')).toEqual({ kind: 'plain', parts: ['.wh..wh.plnk', '1'] });
    expect(classifyEntry('a/.wh..wh.aufs', 'l')).toEqual({ kind: 'meta' });
  });
  it.each(['a/.wh..', 'a/.wh.', 'a/.wh..wh...'])('refuses the whiteout %s', (name) => {
    if (name === 'a/.wh..wh...') expect(classifyEntry(name, 'l')).toEqual({ kind: 'meta' });
    else expect(() => classifyEntry(name, 'l')).toThrow('a whiteout of');
  });
  it('names the layer and the entry in one line', () => {
    expect(() => classifyEntry('x/.wh...', 'layer 2 sha256:ab')).toThrow(
      'layer 2 sha256:ab: "x/.wh...": a whiteout of "..": refused',
    );
  });
});

describe('image: pax xattrs', () => {
  it('reads binary record values as bytes', () => {
    const value = Buffer.from([1, 0, 0, 2, 0x80, 0xff, 0x20]);
    const body = Buffer.concat([Buffer.from('SCHILY.xattr.security.capability='), value, Buffer.from('\n')]);
    let len = body.length + 3;
    len = body.length + String(len).length + 1;
    const rec = Buffer.concat([Buffer.from(`${len} `), body]);
    expect(paxRecords(rec).get('SCHILY.xattr.security.capability')).toEqual(value);
  });

  it('keeps a binary xattr through tar-stream (its Extract internals)', async () => {
    const value = Buffer.from([1, 0, 0, 2, 0x80, 0xff, 0xc3, 0x28]);
    const body = Buffer.concat([Buffer.from('SCHILY.xattr.security.capability='), value, Buffer.from('\n')]);
    const len = body.length + String(body.length + 3).length + 1;
    const pax = Buffer.concat([Buffer.from(`${len} `), body]);
    // tar-stream's pack writes pax values as text, so this tar is made by hand (ustar blocks).
    const block = (name: string, type: string, size: number) => {
      const h = Buffer.alloc(512);
      h.write(name, 0);
      h.write('0000644\0', 100);
      h.write('0000000\0', 108);
      h.write('0000000\0', 116);
      h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
      h.write('00000000000\0', 136);
      h.write(type, 156);
      h.write('ustar\x0000', 257);
      h.fill(' ', 148, 156);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
      return h;
    };
    const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
    const bytes = Buffer.concat([
      block('PaxHeaders/f', 'x', pax.length),
      pad(pax),
      block('f', '0', 2),
      pad(Buffer.from('hi')),
      block('g', '0', 0),
      Buffer.alloc(1024),
    ]);
    const seen: [string, Map<string, Buffer>][] = [];
    for await (const e of tarEntries(Readable.from([bytes]))) {
      seen.push([e.header.name, e.xattrs]);
      e.stream.resume();
    }
    expect(seen.map(([n]) => n)).toEqual(['f', 'g']);
    expect(seen[0][1].get('security.capability')).toEqual(value);
    expect(seen[1][1].size).toBe(0);
  });
});

describe('image: users', () => {
  const passwd = parsePasswd('root:x:0:0:root:/root:/bin/sh\n# c\napp:x:1000:100:app:/home/app:/bin/sh\nbad:x:y:1\n');
  const groups = parseGroup('root:x:0:\nusers:x:100:\nwheel:x:10:app,root\ndocker:x:999:app\n');
  it('resolves names, numbers and groups as umoci does', () => {
    expect(resolveUser('', passwd, groups)).toEqual({ uid: 0, gid: 0, additionalGids: [], home: '/root' });
    expect(resolveUser('app', passwd, groups)).toEqual({
      uid: 1000,
      gid: 100,
      additionalGids: [10, 999],
      home: '/home/app',
    });
    expect(resolveUser('app:wheel', passwd, groups)).toEqual({
      uid: 1000,
      gid: 10,
      additionalGids: [],
      home: '/home/app',
    });
    expect(resolveUser('1000:5', passwd, groups)).toMatchObject({ uid: 1000, gid: 5 });
    expect(resolveUser('4242', passwd, groups)).toEqual({ uid: 4242, gid: 0, additionalGids: [], home: undefined });
    expect(resolveUser('4242:7', passwd, groups)).toMatchObject({ uid: 4242, gid: 7 });
  });
  it('refuses unknown names with one line', () => {
    expect(() => resolveUser('nobody', passwd, groups)).toThrow(
      'image config: User "nobody": no user "nobody" in the image\'s /etc/passwd',
    );
    expect(() => resolveUser('app:nogroup', passwd, groups)).toThrow('no group "nogroup"');
    expect(passwd.map((p) => p.name)).toEqual(['root', 'app']);
  });
});

describe('image: config conversion', () => {
  const user = { uid: 1, gid: 2, additionalGids: [], home: '/h' };
  it('makes process fields and annotations from the image config', () => {
    const spec = runtimeSpec(
      {
        os: 'linux',
        architecture: 'amd64',
        config: {
          Entrypoint: ['/bin/ep'],
          Cmd: ['a', 'b'],
          Env: ['PATH=/x', 'A=1=2'],
          WorkingDir: '/w',
          ExposedPorts: { '80/tcp': {}, '53/udp': {} },
          Volumes: { '/v': {} },
          Labels: { l: 'v' },
        },
      },
      user,
    );
    expect(spec.process).toMatchObject({
      args: ['/bin/ep', 'a', 'b'],
      env: ['PATH=/x', 'TERM=xterm', 'A=1=2', 'HOME=/h'],
      cwd: '/w',
      user: { uid: 1, gid: 2 },
    });
    expect(spec.root).toEqual({ path: 'rootfs' });
    expect(spec.annotations).toEqual({
      l: 'v',
      'org.opencontainers.image.os': 'linux',
      'org.opencontainers.image.architecture': 'amd64',
      'org.opencontainers.image.stopSignal': '',
      'org.opencontainers.image.exposedPorts': '53/udp,80/tcp',
    });
    expect(spec.mounts.at(-1)).toEqual({
      destination: '/v',
      type: 'tmpfs',
      source: 'none',
      options: ['rw', 'nosuid', 'nodev', 'noexec', 'relatime'],
    });
  });
  it('keeps an image HOME, defaults cwd to /, refuses a config without a process', () => {
    const spec = runtimeSpec({ config: { Cmd: ['x'], Env: ['HOME=/mine'] } }, user);
    expect(spec.process.env).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'TERM=xterm',
      'HOME=/mine',
    ]);
    expect(spec.process.cwd).toBe('/');
    expect(() => runtimeSpec({ config: {} }, user)).toThrow('has neither Entrypoint nor Cmd');
    expect(() => runtimeSpec({ config: { Cmd: ['x'], Env: ['NOEQ'] } }, user)).toThrow('is not NAME=value');
  });
  it('setEnv replaces in place', () => {
    expect(setEnv(['A=1', 'B=2'], 'A=3')).toEqual(['A=3', 'B=2']);
    expect(setEnv(['A=1'], 'C=3')).toEqual(['A=1', 'C=3']);
  });
});

describe('image: the image of a docker-archive', () => {
  const hex = (c: string) => c.repeat(64);
  const list = [
    { Config: `${hex('a')}.json`, RepoTags: ['a:1'] },
    { Config: `blobs/sha256/${hex('b')}`, RepoTags: null },
    { Config: `${hex('c')}.json`, RepoTags: ['docker.io/library/c:2', 'reg.io/c:3'] },
    { Config: `${hex('d')}.json`, RepoTags: ['localhost/d:4'] },
  ];
  it('is the only one, or the one with the tag or the ID asked for', () => {
    expect(chooseImage('x.tar', [list[1]])).toBe(list[1]);
    expect(chooseImage('x.tar', list, { tag: 'a:1' })).toBe(list[0]);
    expect(chooseImage('x.tar', list, { tag: 'c:2' })).toBe(list[2]);
    expect(chooseImage('x.tar', list, { tag: 'docker.io/c:2' })).toBe(list[2]);
    expect(chooseImage('x.tar', list, { tag: 'reg.io/c:3' })).toBe(list[2]);
    expect(chooseImage('x.tar', list, { id: `sha256:${hex('b')}` })).toBe(list[1]);
    expect(chooseImage('x.tar', list, { tag: 'd:4' })).toBe(list[3]);
  });
  it('names every choice when there is none, or none that fits', () => {
    const all = `x.tar:a:1, x.tar@sha256:${hex('b')}, x.tar:docker.io/library/c:2, x.tar:reg.io/c:3, x.tar:localhost/d:4`;
    expect(() => chooseImage('x.tar', list)).toThrow(`docker-archive x.tar: holds 4 images: choose one of ${all}`);
    expect(() => chooseImage('x.tar', list, { tag: 'a:2' })).toThrow(`no image tagged a:2: choose one of ${all}`);
    expect(() => chooseImage('x.tar', list, { id: `sha256:${hex('e')}` })).toThrow('no image with ID');
  });
});

describe('image: the progress line', () => {
  it('counts the bytes read of the layer and of all', () => {
    expect(bytesText(512)).toBe('512 B');
    expect(bytesText(1536)).toBe('1.5 KiB');
    expect(bytesText(3 * 2 ** 30)).toBe('3.0 GiB');
    expect(progressLine(0, [2048], 1024)).toBe('unpacking layer 1/1: 1.0 KiB of 2.0 KiB');
    expect(progressLine(1, [2 ** 20, 3 * 2 ** 20], 2 ** 19)).toBe(
      'unpacking layer 2/2: 512.0 KiB of 3.0 MiB, 1.5 MiB of 4.0 MiB in all',
    );
  });
});
