import {closeMatches} from '../lib/suggest.js';
import {commandPaths, isTopic, namesUnder} from './command-paths.js';

/** What a person typed that names no command, and what they may have meant (as typed: words joined by spaces). */
export interface UnknownCommand {
  /** The words up to and including the first that is no command or topic: "schedule nxt". */
  typed: string;
  /** The topic the unknown word was under ("schedule"), if any. */
  topic: string | undefined;
  suggestions: string[];
}

/**
 * The nearest commands to `words` (the command line's leading words, flags left out) among
 * `ids` (oclif's ids: "schedule:next"). The first word no topic knows is compared with the
 * names at its level; a misspelt topic followed by one of its commands suggests both words
 * ("schedul next" → "schedule next").
 */
export function unknownCommand(words: readonly string[], ids: readonly string[]): UnknownCommand {
  const paths = commandPaths(ids);
  let depth = 0;
  while (depth < words.length - 1 && isTopic(paths, words.slice(0, depth + 1))) depth++;
  const prefix = words.slice(0, depth);
  const suggestions = closeMatches(words[depth] ?? '', namesUnder(paths, prefix)).map((name) => {
    const next = words[depth + 1];
    const path = [...prefix, name];
    if (next === undefined || !isTopic(paths, path)) return path.join(' ');
    const [sub] = closeMatches(next, namesUnder(paths, path));
    return (sub === undefined ? path : [...path, sub]).join(' ');
  });
  return {typed: words.slice(0, depth + 1).join(' '), topic: depth > 0 ? prefix.join(' ') : undefined, suggestions};
}

/**
 * Whether `words` begin with a command, or are a topic: what `help` can show. The words after a
 * command are its arguments (`help run shop/x`); after a topic, one of its commands must follow.
 */
export function namesCommand(words: readonly string[], ids: readonly string[]): boolean {
  const paths = commandPaths(ids);
  for (let length = 1; length <= words.length; length++) {
    const prefix = words.slice(0, length);
    if (ids.includes(prefix.join(':'))) return true;
    if (!isTopic(paths, prefix)) return false;
  }
  return words.length > 0;
}

/** The message for an unknown command, `bin` being the program's name. */
export function unknownCommandMessage(bin: string, unknown: UnknownCommand): {message: string; hint: string} {
  const {typed, topic, suggestions} = unknown;
  const help = topic === undefined ? `\`${bin} help\` lists the commands` : `\`${bin} help ${topic}\` lists its commands`;
  const message = `"${typed}" is not a command`;
  if (suggestions.length === 0) return {message, hint: `nothing is close to it; ${help}`};
  if (suggestions.length === 1) return {message, hint: `did you mean "${suggestions[0]}"? ${help}`};
  return {message, hint: `did you mean one of ${suggestions.map((suggestion) => `"${suggestion}"`).join(', ')}? ${help}`};
}

/** The same as text for a terminal: git's shape, the close commands one per line when there are several. */
export function renderUnknownCommand(bin: string, unknown: UnknownCommand): string {
  const {typed, topic, suggestions} = unknown;
  const help = topic === undefined ? `See \`${bin} help\` for the list of commands.` : `See \`${bin} help ${topic}\` for its commands.`;
  const head = `${bin}: "${typed}" is not a command.`;
  if (suggestions.length === 0) return `${head} Nothing is close to it.\n${help}\n`;
  if (suggestions.length === 1) return `${head} Did you mean "${suggestions[0]}"?\n${help}\n`;
  return `${head} Did you mean one of these?\n${suggestions.map((suggestion) => `  ${bin} ${suggestion}`).join('\n')}\n${help}\n`;
}
