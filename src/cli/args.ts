import {Args} from '@oclif/core';

/**
 * A positional argument. oclif fills a missing one from standard input when that is not a
 * terminal, so `echo x | capsule list` would list project "x", a piped `capsule project add`
 * would add whatever the pipe held, and every command run without a terminal would spend
 * time setting up to read stdin. Capsule never takes arguments from stdin.
 */
export const stringArg = Args.custom<string>({ignoreStdin: true});
