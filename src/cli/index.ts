import {execute} from '@oclif/core';

export {COMMANDS} from '../commands/index.js';

/** Entry point used by bin/run.js. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  await execute({args: argv, dir: import.meta.url});
}
