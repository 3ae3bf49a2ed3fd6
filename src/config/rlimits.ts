// RLIMIT_* names and their resource numbers (<sys/resource.h>, generated).
import { RLIMIT } from '../native/kernel-constants.generated';

export const RLIMITS: readonly string[] = Object.keys(RLIMIT);

export function rlimitNumber(name: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(RLIMIT, name) ? RLIMIT[name as keyof typeof RLIMIT] : undefined;
}
