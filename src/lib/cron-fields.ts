// The shape of a cron rule as written, without cron-parser (which the CLI and the dashboard do
// not load): the config's validation and the dashboard's display read it the same way.

/** The fields of a cron rule: 5 (minute first) or 6 (seconds first); a macro such as `@daily` is one. */
export function cronFields(expression: string): string[] {
  const text = expression.trim();
  return text === '' ? [] : text.split(/\s+/);
}

/** Whether a rule picks the second it fires at (6 fields, or `@secondly`), so its fires are told apart only to the second. */
export function cronHasSeconds(expression: string): boolean {
  const fields = cronFields(expression);
  return fields.length === 6 || (fields.length === 1 && fields[0] === '@secondly');
}
