import {badInput} from '../lib/errors.js';

// An action's arguments, as `capsule action … --arg key=value` and the dashboard's `a` take them:
// the rules in one place, zod-free for the CLI and the dashboard.

const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Why `name` cannot name an action argument (it reaches a command action as CAPSULE_ARG_<NAME>), or undefined. */
export function actionArgNameProblem(name: string): string | undefined {
  return ARG_NAME.test(name) ? undefined : `invalid argument name ${JSON.stringify(name)}: expected a letter or _, then letters, digits, _ or -`;
}

/**
 * `key=value` pairs as the args of service.action. A malformed pair throws bad_input naming it
 * and where it came from (`source`, e.g. "--arg"), with `hint` saying how to write one there.
 */
export function parseActionArgs(pairs: readonly string[], {source, hint}: {source: string; hint: string}): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw badInput(`${source} expects key=value, got ${JSON.stringify(pair)}`, hint);
    const name = pair.slice(0, equals);
    const problem = actionArgNameProblem(name);
    if (problem !== undefined) throw badInput(problem, hint);
    args[name] = pair.slice(equals + 1);
  }
  return args;
}

/**
 * A line of space-separated `key=value` pairs, as the dashboard asks for them; a value with
 * spaces is quoted (`msg="two words"` or `msg='two words'`). An empty line is no arguments.
 */
export function parseActionArgLine(line: string, hint: string): Record<string, string> {
  const pairs: string[] = [];
  let current: string | null = null;
  let quote: string | null = null;
  for (const char of line) {
    if (quote !== null) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      current ??= '';
    } else if (/\s/.test(char)) {
      if (current !== null) pairs.push(current);
      current = null;
    } else {
      current = (current ?? '') + char;
    }
  }
  if (quote !== null) throw badInput(`the arguments have an unclosed ${quote}: close the quoted value`, hint);
  if (current !== null) pairs.push(current);
  return parseActionArgs(pairs, {source: 'each argument', hint});
}
