// Integer flag values, checked as runc's flag parsing checks them.
import { MiniRunError } from '../errors';

export function integer(flag: string, text: string, min: bigint, max: bigint): bigint {
  if (!/^-?\d+$/.test(text))
    throw new MiniRunError('USAGE', `--${flag}: invalid value ${JSON.stringify(text)}: not an integer`);
  const n = BigInt(text);
  if (n < min || n > max) throw new MiniRunError('USAGE', `--${flag}: ${text} is out of range [${min}, ${max}]`);
  return n;
}
