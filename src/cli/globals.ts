// The global options every command reads (--root, --log...), kept apart from
// main.ts so that a command's file does not import the program that loads it.

export interface GlobalOptions {
  root: string;
  log?: string;
  logFormat: 'text' | 'json';
  debug: boolean;
  systemdCgroup: boolean;
  /** runc's --rootless true|false|auto: as root, cgroup writes do not fail for permissions, so all three run alike */
  rootless: string;
}

/** The global options as parsed; a command calls it when it runs. */
export type Globals = () => GlobalOptions;
