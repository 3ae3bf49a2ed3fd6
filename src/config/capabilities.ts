// Capability names and numbers (<linux/capability.h>).
import { CAP } from '../native/kernel-constants.generated';

/** The names in kernel number order. */
export const CAPABILITIES: readonly string[] = Object.entries(CAP)
  .sort((a, b) => a[1] - b[1])
  .map(([name]) => name);

export function capNumber(name: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(CAP, name) ? CAP[name as keyof typeof CAP] : undefined;
}
