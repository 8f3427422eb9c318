import {execute} from '@oclif/core';
import {setModuleLoader} from './load-module.js';

export {COMMANDS} from '../commands/index.js';
export {COMMAND_NOT_FOUND} from './not-found-hook.js';

/** Entry point used by bin/run.js. `capsule` alone opens the dashboard on a terminal, and prints help otherwise. */
export async function main(argv = process.argv.slice(2), options: {importModule?: (url: string) => Promise<unknown>} = {}): Promise<void> {
  if (options.importModule) setModuleLoader(options.importModule);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  await execute({args: argv.length > 0 ? argv : interactive ? ['dashboard'] : ['--help'], dir: import.meta.url});
}
