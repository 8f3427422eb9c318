import type {Hook} from '@oclif/core';
import {CapsuleError} from '../lib/errors.js';
import {renderUnknownCommand, unknownCommand, unknownCommandMessage} from './unknown-command.js';

/**
 * oclif's command_not_found hook (package.json oclif.hooks): a command line that names no
 * command says what it may have meant, and exits 2. oclif has joined the leading words into
 * `id` with ":" ("schedule:nxt:shop/poll"); flags and what follows them are in `argv`.
 */
export const COMMAND_NOT_FOUND: Hook<'command_not_found'> = async function ({id, argv, config}) {
  const ids = config.commands.filter((command) => !command.hidden).map((command) => command.id);
  const unknown = unknownCommand(id.split(':'), ids);
  if (argv?.includes('--json')) {
    const {message, hint} = unknownCommandMessage(config.bin, unknown);
    const error = new CapsuleError('bad_input', message, {hint, details: {candidates: unknown.suggestions}});
    process.stdout.write(`${JSON.stringify({error: error.toPayload()}, null, 2)}\n`);
  } else {
    process.stderr.write(renderUnknownCommand(config.bin, unknown));
  }
  this.exit(2);
};
