/**
 * Variables every task sees besides its declared ones, copied from the daemon's environment:
 * enough to find executables, resolve home-relative paths and format text and dates, and
 * nothing that usually carries credentials.
 */
export const BASE_ENV_NAMES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'] as const;

/** What `task({env})` declares: names to pass through from the daemon's environment, or fixed values. */
export type DeclaredEnv = string[] | Record<string, string>;

/**
 * The whole environment of a task: the base variables, then the declared ones. A declared name
 * missing from the daemon's environment is left out, as it would be for any process.
 */
export function taskEnvironment(declared: DeclaredEnv, daemonEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of BASE_ENV_NAMES) {
    const value = daemonEnv[name];
    if (value !== undefined) env[name] = value;
  }
  if (Array.isArray(declared)) {
    for (const name of declared) {
      const value = daemonEnv[name];
      if (value !== undefined) env[name] = value;
    }
  } else {
    Object.assign(env, declared);
  }
  return env;
}
