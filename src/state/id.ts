import { MiniRunError } from '../errors';

// runc's rule: letters, digits, _ + - . ; not "." or "..".
const ID = /^[\w+\-.]+$/;

export function validateId(id: string): void {
  if (id === '') throw new MiniRunError('USAGE', 'container id: must not be empty');
  if (!ID.test(id) || id === '.' || id === '..' || id.length > 1024) {
    throw new MiniRunError(
      'USAGE',
      `container id: invalid "${id}" (allowed: letters, digits, _ + - . and not "." or "..")`,
    );
  }
}
