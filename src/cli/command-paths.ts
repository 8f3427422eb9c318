/** oclif's command ids as paths of words ("schedule:next" → ["schedule", "next"]): one set of rules for the not-found messages and completion. */

export function commandPaths(ids: Iterable<string>): string[][] {
  return [...ids].map((id) => id.split(':'));
}

/** Whether `prefix` is a topic: some command's path goes on past it. */
export function isTopic(paths: readonly (readonly string[])[], prefix: readonly string[]): boolean {
  return paths.some((path) => path.length > prefix.length && prefix.every((word, index) => path[index] === word));
}

/** The distinct words that follow `prefix`: the commands and topics one level under it, in table order. */
export function namesUnder(paths: readonly (readonly string[])[], prefix: readonly string[]): string[] {
  const names = paths.filter((path) => path.length > prefix.length && prefix.every((word, index) => path[index] === word)).map((path) => path[prefix.length]!);
  return [...new Set(names)];
}

/** Whether `prefix` is a command or a topic: some command's path starts with it. */
export function beginsCommand(paths: readonly (readonly string[])[], prefix: readonly string[]): boolean {
  return paths.some((path) => path.length >= prefix.length && prefix.every((word, index) => path[index] === word));
}
