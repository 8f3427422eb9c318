import type {CapsuleError} from '../lib/errors.js';
import type {Paint} from './style.js';

/** "Error: message" then the hint. A config error's message already lists its issues, one per line. */
export function renderError(error: CapsuleError, paint: Paint): string {
  const lines = [`${paint('red', 'Error:')} ${error.message}`];
  if (error.hint) lines.push(`${paint('dim', 'hint:')} ${error.hint}`);
  return lines.join('\n');
}
