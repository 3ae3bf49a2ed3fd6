// The one error class of minirun. The CLI prints `minirun: <message>` on one
// line (`minirun run failed: <message>` for run, create and exec, as runc
// words theirs) and exits with `exitCode` (1 unless said otherwise).
export type ErrorCode =
  | 'CONFIG'      // config.json is unreadable or invalid
  | 'USAGE'       // bad CLI arguments
  | 'STATE'       // container state missing, corrupt, or wrong for the operation
  | 'INIT'        // the init helper reported a failure
  | 'CGROUP'      // cgroup setup failed
  | 'NATIVE'      // the addon or helper could not be loaded / started
  | 'HOOK'        // a hook failed
  | 'INTERNAL';

export class MiniRunError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, exitCode = 1) {
    super(message);
    this.name = 'MiniRunError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A config.json error: `config.json: <jsonPath>: <reason>`. */
export function configError(path: string, reason: string): MiniRunError {
  return new MiniRunError('CONFIG', `config.json: ${path}: ${reason}`);
}
