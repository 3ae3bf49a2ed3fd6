import { describe, expect, it } from 'vitest';
import { ociState } from '../../src/hooks/state';
import { processState } from '../../src/lifecycle/seccomp-listener';

describe('the container process state for a seccomp listener', () => {
  const base = { ociVersion: '1.0.2-dev', id: 'c1', bundle: '/b', annotations: { a: 'b' } };
  it("is runc's JSON, keys in its order", () => {
    expect(processState({ path: '/l', metadata: 'meta' }, 42, ociState(base, 'creating', 42))).toBe(
      '{"ociVersion":"1.0.2-dev","fds":["seccompFd"],"pid":42,"metadata":"meta","state":' +
        '{"ociVersion":"1.0.2-dev","id":"c1","status":"creating","pid":42,"bundle":"/b","annotations":{"a":"b"}}}',
    );
  });
  it('leaves out empty metadata and annotations', () => {
    expect(processState({ path: '/l', metadata: '' }, 7, ociState({ ...base, annotations: {} }, 'running', 3))).toBe(
      '{"ociVersion":"1.0.2-dev","fds":["seccompFd"],"pid":7,"state":{"ociVersion":"1.0.2-dev","id":"c1","status":"running","pid":3,"bundle":"/b"}}',
    );
  });
});
