// Errors keep their parts; a new source or exit status is a new error made
// from them, never an edit of the text.
import { describe, expect, it } from 'vitest';
import { configError, MiniRunError } from '../../src/errors';

describe('MiniRunError', () => {
  it('is one line made from its parts', () => {
    const e = configError('linux.resources.memory.limit', 'must be a whole number');
    expect(e.message).toBe('config.json: linux.resources.memory.limit: must be a whole number');
    expect(e.parts).toEqual({ source: 'config.json', field: 'linux.resources.memory.limit' });
    expect(new MiniRunError('STATE', 'cannot write', 1, { source: '/run/x/state.json', errno: 'ENOSPC' }).message).toBe(
      '/run/x/state.json: cannot write: ENOSPC',
    );
  });

  it('is said of another source, and keeps the field and reason', () => {
    const e = configError('process.args', 'must not be empty').from('--process /tmp/p.json');
    expect(e.message).toBe('--process /tmp/p.json: process.args: must not be empty');
    expect(e.code).toBe('CONFIG');
    expect(configError('memory', 'bad').from('--resources -', 'USAGE')).toMatchObject({
      code: 'USAGE',
      message: '--resources -: memory: bad',
    });
    // a reason that itself starts like a source is kept as it is
    expect(new MiniRunError('CONFIG', 'config.json: x').from('update').message).toBe('update: config.json: x');
  });

  it('exits with another status, the rest kept', () => {
    const e = configError('process', 'is required to exec').exitingWith(255);
    expect(e).toMatchObject({ exitCode: 255, code: 'CONFIG', message: 'config.json: process: is required to exec' });
  });
});
