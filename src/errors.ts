// The one error class of minirun. An error keeps its parts: what it is about
// (`source`: config.json, a --process file, a flag, a state file), the field
// in it, the reason and the errno; `message` is made from them once, and the
// CLI prints it as one line (`minirun: <message>`, or `minirun run failed:
// <message>` for run, create and exec, as runc words theirs) and exits with
// `exitCode` (1 unless said otherwise). Nothing rewrites an error's text: a
// different source or exit code makes a new error from the parts.
export type ErrorCode =
  | 'CONFIG' // config.json is unreadable or invalid
  | 'USAGE' // bad CLI arguments
  | 'STATE' // container state missing, corrupt, or wrong for the operation
  | 'INIT' // the init helper reported a failure
  | 'CGROUP' // cgroup setup failed
  | 'NATIVE' // the addon or helper could not be loaded / started
  | 'HOOK' // a hook failed
  | 'IMAGE' // an image to unpack is unreadable, does not match its digests, or is refused
  | 'INTERNAL';

export interface ErrorParts {
  /** what the error is about: "config.json", "--process FILE", a state file... */
  source?: string;
  /** where in it: a JSON path such as "linux.resources.memory.limit" */
  field?: string;
  /** the errno's name, last */
  errno?: string;
}

export class MiniRunError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly reason: string;
  readonly parts: Readonly<ErrorParts>;
  constructor(code: ErrorCode, reason: string, exitCode = 1, parts: ErrorParts = {}) {
    super([parts.source, parts.field, reason, parts.errno].filter((s) => s !== undefined && s !== '').join(': '));
    this.name = 'MiniRunError';
    this.code = code;
    this.exitCode = exitCode;
    this.reason = reason;
    this.parts = parts;
  }

  /** The same failure, said of another source (config.json's fields read from a --process or --resources file). */
  from(source: string | undefined, code: ErrorCode = this.code): MiniRunError {
    return new MiniRunError(code, this.reason, this.exitCode, { ...this.parts, source });
  }

  /** The same failure, with another exit status. */
  exitingWith(exitCode: number): MiniRunError {
    return new MiniRunError(this.code, this.reason, exitCode, this.parts);
  }
}

/** A config.json error: `config.json: <jsonPath>: <reason>`. */
export function configError(field: string, reason: string): MiniRunError {
  return new MiniRunError('CONFIG', reason, 1, { source: 'config.json', field });
}
