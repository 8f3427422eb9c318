import {execute} from '@oclif/core';

export {COMMANDS} from '../commands/index.js';

/** Entry point used by bin/run.js. `capsule` alone prints help (the dashboard takes over on a TTY once it exists). */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  await execute({args: argv.length === 0 ? ['--help'] : argv, dir: import.meta.url});
}
