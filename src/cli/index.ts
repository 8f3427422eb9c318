import {execute} from '@oclif/core';
import {COMMANDS} from '../commands/index.js';
import {setModuleLoader} from './load-module.js';
import {namesCommand, renderUnknownCommand, unknownCommand} from './unknown-command.js';

export {COMMANDS};
export {COMMAND_NOT_FOUND} from './not-found-hook.js';

/** Entry point used by bin/run.js. `capsule` alone opens the dashboard on a terminal, and prints help otherwise. */
export async function main(argv = process.argv.slice(2), options: {importModule?: (url: string) => Promise<unknown>} = {}): Promise<void> {
  if (options.importModule) setModuleLoader(options.importModule);
  if (unknownWithHelp(argv)) return;
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  await execute({args: argv.length > 0 ? argv : interactive ? ['dashboard'] : ['--help'], dir: import.meta.url});
}

/**
 * `capsule sevices --help`: oclif shows help before it looks for the command, so its not-found
 * hook never sees this one; answered as `capsule sevices` is (exit 2). Whether it is an unknown
 * command is only looked at when --help is there.
 */
function unknownWithHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  if (!(end === -1 ? argv : argv.slice(0, end)).includes('--help')) return false;
  const words = argv.slice(0, argv.findIndex((word) => word.startsWith('-')));
  const ids = Object.entries(COMMANDS)
    .filter(([, command]) => !command.hidden)
    .map(([id]) => id);
  if (words.length === 0 || namesCommand(words, ids)) return false;
  process.stderr.write(renderUnknownCommand('capsule', unknownCommand(words, ids)));
  process.exitCode = 2;
  return true;
}
