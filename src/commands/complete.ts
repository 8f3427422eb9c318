import {Command} from '@oclif/core';
import {completionCandidates, completionPosition, namesWanted} from '../cli/completion/candidates.js';
import {commandSpecs, liveNames} from '../cli/completion/live.js';
import {findProjectRoot} from '../client/targets.js';
import {homePaths} from '../lib/home.js';

/**
 * `capsule __complete -- WORDS…`, what the completion scripts call at each Tab: the candidates
 * for the last word, one per line. Silent on every failure, since its output is the completion.
 */
export default class Complete extends Command {
  static override hidden = true;
  static override strict = false;
  static override summary = 'Print the completions of a command line (used by `capsule completion` scripts).';

  async run(): Promise<void> {
    // Taken as they come, unparsed: they are a command line being typed, flags and all.
    const words = this.argv[0] === '--' ? this.argv.slice(1) : this.argv;
    const commands = commandSpecs(this.config);
    const position = completionPosition(words.length === 0 ? [''] : words, commands);
    const names = await liveNames(homePaths(), namesWanted(position), {root: findProjectRoot(process.cwd())});
    const candidates = completionCandidates(position, words.at(-1) ?? '', commands, names);
    if (candidates.length > 0) process.stdout.write(`${candidates.join('\n')}\n`);
  }
}
