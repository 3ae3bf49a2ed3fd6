// RLIMIT_* names -> resource numbers (<sys/resource.h>).
import { RLIMIT } from '../native/kernel-constants.generated';

export function rlimitNumber(name: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(RLIMIT, name) ? RLIMIT[name as keyof typeof RLIMIT] : undefined;
}
