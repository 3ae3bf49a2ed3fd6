// -f/--format of `list` and `ps`.
import { MiniRunError } from '../errors';

export function tableOrJson(format: string): 'table' | 'json' {
  if (format !== 'table' && format !== 'json') {
    throw new MiniRunError('USAGE', `--format: must be table or json, got "${format}"`);
  }
  return format;
}
