// The differential suite: every case of differential-cases.ts through runc
// and then minirun on the same bundle, each with its own id, results
// normalised (ids, pids, times, the temp dir, namespace inodes) and compared
// step by step; nothing may be left behind. The deliberate differences are
// checked to still differ as described.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CASES,
  DELIBERATE,
  stopSpares,
  type Case,
  type Ctx,
  type Expected,
  type Outcome,
  type Step,
} from './differential-cases';
import { ERROR_START, hasRunc, isRoot, Sandbox, type Config, type Result } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;
type Runtime = 'runc' | 'minirun';

const NS_TYPES = new Set(['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts']);
const HOST_NS = new Set(
  fs.readdirSync('/proc/self/ns').map((n) => {
    try {
      return fs.readlinkSync(`/proc/self/ns/${n}`);
    } catch {
      return '';
    }
  }),
);
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const CGROUP_HIERARCHIES = ['memory', 'pids', 'cpu', 'cpuset', 'devices', 'freezer', 'blkio'];

/** The text of a step with everything that varies between runs and runtimes replaced. */
function normalise(text: string, ctx: Ctx, step: Step): string {
  let t = text
    .split(ctx.own(''))
    .join('OWN/')
    .split(path.join(ctx.sb.dir, `state-${ctx.runtime}`))
    .join('STATE')
    .split(ctx.sb.dir)
    .join('DIR')
    .split(ctx.id)
    .join('ID')
    .replace(/"pid":\s*\d+/g, '"pid":N')
    .replace(/"created":\s*"[^"]*"/g, '"created":"T"')
    .replace(/([a-z_]+):\[(\d+)\]/g, (m, kind: string) =>
      HOST_NS.has(m) ? `${kind}:[host]` : NS_TYPES.has(kind) ? `${kind}:[new]` : `${kind}:[N]`,
    );
  if (Array.isArray(step) && step[0] === 'ps') t = t.replace(/\d+/g, 'N');
  return t;
}

/**
 * stderr as compared: the container's own text as is; the runtime's messages
 * by kind only (their texts differ on purpose): one "<runtime error>" for a
 * failed step, none for a step that succeeded (runc may log warnings such as
 * a cgroup removal retry, minirun a failed poststop hook).
 */
function stderrView(text: string, runtime: Runtime, code: number | null): string {
  const own = (l: string) =>
    runtime === 'runc' ? !/level=\w+ msg=|^(ERRO|WARN)\[|^error running hook #/.test(l) : !ERROR_START.test(l);
  const lines = text.split('\n').filter((l) => l !== '');
  const kept = lines.filter(own);
  if (code !== 0 && kept.length < lines.length) kept.push('<runtime error>');
  return kept.join('\n');
}

suite('differential: runc and minirun on the same cases', () => {
  let sb: Sandbox;
  let pristine: Config;
  let serial = 0;

  beforeAll(async () => {
    sb = await Sandbox.create();
    pristine = sb.config();
  });
  afterAll(() => {
    stopSpares();
    sb?.cleanup();
  });

  function runStep(step: Step, ctx: Ctx): Outcome {
    const call = (args: string[], input?: string): Result => {
      const a = args.map((x) => (x === 'ID' ? ctx.id : x.split('${OWN}').join(ctx.own(''))));
      return ctx.runtime === 'runc' ? sb.runc(a, input) : sb.minirun(a, input);
    };
    if (Array.isArray(step)) return call(step);
    if ('input' in step) return call(step.args, step.input);
    if ('host' in step) {
      const r = spawnSync('sh', ['-c', step.host], {
        encoding: 'utf8',
        env: { ...process.env, ID: ctx.id, DIR: sb.dir, OWN: ctx.own('') },
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    }
    let status = '';
    for (let i = 0; i < 500 && status !== 'stopped'; i++) {
      const r = call(['state', 'ID']);
      status = r.code === 0 ? JSON.parse(r.stdout).status : `state failed: ${r.stderr}`;
      if (status !== 'stopped') sleep(10);
    }
    return { code: 0, stdout: `${status}\n`, stderr: '' };
  }

  /** Plays a case through one runtime; returns each step's normalised outcome. */
  function play(c: Case, runtime: Runtime, base: string): Outcome[] {
    const ctx: Ctx = {
      id: `${base}-${runtime === 'runc' ? 'r' : 'm'}`,
      runtime,
      sb,
      own: (name) => path.join(sb.dir, `${runtime}-${name}`),
    };
    const cfg = structuredClone(pristine);
    cfg.process.args = c.args ?? ['/bin/probe', 'pause'];
    c.mutate?.(cfg, ctx);
    sb.setConfig(cfg);
    const script = c.script ?? [['run', 'ID']];
    const out: Outcome[] = [];
    try {
      for (const step of script) {
        const r = runStep(step, ctx);
        out.push({ code: r.code, stdout: normalise(r.stdout, ctx, step), stderr: normalise(r.stderr, ctx, step) });
      }
    } finally {
      sb.cli(runtime, ['delete', '--force', ctx.id]);
      for (const f of fs.readdirSync(sb.dir))
        if (f.startsWith(`${runtime}-`)) fs.rmSync(path.join(sb.dir, f), { force: true, recursive: true });
    }
    for (const h of CGROUP_HIERARCHIES)
      expect(fs.existsSync(`/sys/fs/cgroup/${h}/${ctx.id}`), `cgroup ${h}/${ctx.id} left behind`).toBe(false);
    return out;
  }

  function playBoth(c: Case) {
    serial += 1;
    const base = `diff-${process.pid}-${serial}`;
    const runc = play(c, 'runc', base);
    const minirun = play(c, 'minirun', base);
    return { runc, minirun };
  }

  const view = (outs: Outcome[], runtime: Runtime, script: Step[]) =>
    outs.map((o, i) => ({
      step: JSON.stringify(script[i]),
      code: o.code,
      stdout: o.stdout,
      stderr: stderrView(o.stderr, runtime, o.code),
    }));

  afterEach(() => {
    expect(sb.residue()).toEqual([]);
  });

  it('the table has at least 60 cases, each name once', () => {
    const names = [...CASES, ...DELIBERATE].map((c) => c.name);
    expect(names.length).toBeGreaterThanOrEqual(60);
    expect(new Set(names).size).toBe(names.length);
  });

  it("minirun's error for a missing program: exit 1, one line naming it", () => {
    sb.setConfig({ ...structuredClone(pristine), process: { ...pristine.process, args: ['no-such-program'] } });
    const r = sb.minirun(['run', `diff-${process.pid}-missing`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^minirun run failed: exec: "no-such-program": executable file not found in \$PATH[^\n]*\n$/,
    );
  });

  for (const c of CASES) {
    it(c.name, () => {
      const script = c.script ?? [['run', 'ID']];
      const { runc, minirun } = playBoth(c);
      expect(view(minirun, 'minirun', script)).toEqual(view(runc, 'runc', script));
      // minirun's own errors are one line each.
      for (const o of minirun) {
        for (const l of o.stderr.split('\n').filter((x) => ERROR_START.test(x)))
          expect(l).toMatch(new RegExp(`${ERROR_START.source}\\S`));
      }
    });
  }

  describe('deliberate differences from runc 1.1.5', () => {
    const check = (o: Outcome, e: Expected) => {
      if (e.code !== undefined) expect(o.code).toBe(e.code);
      if (typeof e.stdout === 'string') expect(o.stdout).toBe(e.stdout);
      else if (e.stdout) expect(o.stdout).toMatch(e.stdout);
      if (e.stderr) expect(o.stderr).toMatch(e.stderr);
    };
    for (const d of DELIBERATE) {
      it(`${d.name} (${d.reason})`, () => {
        const script = d.script ?? [['run', 'ID']];
        const { runc, minirun } = playBoth(d);
        const last = (outs: Outcome[]) =>
          outs[Math.min(outs.length, script.filter((s) => !(Array.isArray(s) && s[0] === 'delete')).length) - 1];
        check(last(runc), d.runc);
        check(last(minirun), d.minirun);
        expect(view(minirun, 'minirun', script)).not.toEqual(view(runc, 'runc', script));
      });
    }
  });
});
