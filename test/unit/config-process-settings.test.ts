import { describe, expect, it } from 'vitest';
import { cpuMask, readPersonality, readProcessSettings, readTimeOffsets } from '../../src/config/process-settings';
import type { Process } from '../../src/config/types';

const proc = (more: Partial<Process>): Process => ({ user: { uid: 0, gid: 0 }, cwd: '/', args: ['sh'], ...more });

describe('process settings', () => {
  it('personality domains', () => {
    expect(readPersonality({ domain: 'LINUX32' })).toBe(8);
    expect(readPersonality({ domain: 'LINUX' })).toBe(0);
    expect(() => readPersonality({ domain: 'BSD' })).toThrow(
      'config.json: linux.personality.domain: must be LINUX or LINUX32, got "BSD"',
    );
  });

  it('time offsets need a new time namespace', () => {
    expect(readTimeOffsets({ monotonic: { secs: 10, nanosecs: 1 } }, true)).toEqual({
      monotonicSecs: 10n,
      monotonicNanosecs: 1,
      boottimeSecs: 0n,
      boottimeNanosecs: 0,
    });
    expect(() => readTimeOffsets({ monotonic: { secs: 10 } }, false)).toThrow(
      'config.json: linux.timeOffsets: requires a new time namespace in linux.namespaces',
    );
    expect(() => readTimeOffsets({ realtime: { secs: 1 } }, true)).toThrow(
      'config.json: linux.timeOffsets.realtime: must be monotonic or boottime',
    );
  });

  it('scheduler, I/O priority and CPU affinity', () => {
    const s = readProcessSettings(
      proc({
        scheduler: { policy: 'SCHED_RR', priority: 10, flags: ['SCHED_FLAG_RESET_ON_FORK'] },
        ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 4 },
      }),
    );
    expect(s.scheduler).toEqual({ policy: 2, nice: 0, priority: 10, flags: 1, runtime: 0n, deadline: 0n, period: 0n });
    expect(s.ioPriority).toBe((2 << 13) | 4);
    expect([...cpuMask('0-2,9', 'x').subarray(0, 2)]).toEqual([0b111, 0b10]);
    expect(() => readProcessSettings(proc({ scheduler: { policy: 'SCHED_FAST' } }))).toThrow(
      'config.json: process.scheduler.policy: unknown policy "SCHED_FAST"',
    );
    expect(() => readProcessSettings(proc({ ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 8 } }))).toThrow(
      'config.json: process.ioPriority.priority: must be an integer from 0 to 7',
    );
    expect(() => readProcessSettings(proc({ execCPUAffinity: { final: '0-x' } }))).toThrow(
      'config.json: process.execCPUAffinity.final: must be a CPU list like "0-3,7", got "0-x"',
    );
  });
});
