// What the daemon's environment gets beside its starter's, for glibc's allocator: read once,
// when the process starts, so it is set by whoever spawns the daemon (both ways of starting it
// go through daemonEnvironment; the systemd unit of `daemon install` writes addedEnvironment),
// and taken out again by the daemon (daemon/main.ts) so that the services it starts inherit the
// environment they would have had.

/**
 * glibc serves an allocation of 128 KiB or more with its own mmap, returned to the system when
 * freed, until the first such block is freed: then it raises the threshold to that block's size,
 * and later Buffers of that size come from its arenas, which keep the memory once freed. A
 * worker thread stopped over its memory limit then left its Buffers' memory in the daemon's
 * resident set (measured: 512 × 1 MiB Buffers, terminated, stayed resident from the second time
 * on). Setting the threshold pins it at its default, so large Buffers always go back.
 */
const PINNED_MMAP_THRESHOLD = {MALLOC_MMAP_THRESHOLD_: String(128 * 1024)};

/** Names the variables the starter added, so the daemon removes those and no others. */
const ADDED_MARKER = 'CAPSULE_DAEMON_ADDED_ENV';

export function daemonEnvironment(home: string): NodeJS.ProcessEnv {
  return {...process.env, CAPSULE_HOME: home, ...addedEnvironment(process.env)};
}

/**
 * What a daemon started from `base` gets added, with the marker naming it: also written into the
 * systemd unit (`capsule daemon install`), whose daemon starts from systemd's environment.
 */
export function addedEnvironment(base: NodeJS.ProcessEnv): Record<string, string> {
  const added = Object.entries(PINNED_MMAP_THRESHOLD).filter(([name]) => base[name] === undefined);
  return {...Object.fromEntries(added), [ADDED_MARKER]: added.map(([name]) => name).join(',')};
}

/** In the daemon: forgets what daemonEnvironment added, now that the allocator has read it. */
export function dropAddedEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of (env[ADDED_MARKER] ?? '').split(',')) if (name !== '') delete env[name];
  delete env[ADDED_MARKER];
}

/**
 * `daemon start --backend URL` hands the URL to the daemon in this variable, not in its arguments:
 * `ps` shows arguments to every user, and the URL may hold a password. The daemon takes it out of
 * its environment at once (daemon/main.ts), so nothing it starts inherits it.
 */
export const BACKEND_VARIABLE = 'CAPSULE_DAEMON_BACKEND';

/** The environment of a daemon started for `home`, with this start's `--backend` if given. */
export function daemonStartEnvironment(home: string, backend: string | undefined): NodeJS.ProcessEnv {
  const env = daemonEnvironment(home);
  delete env[BACKEND_VARIABLE];
  return backend === undefined ? env : {...env, [BACKEND_VARIABLE]: backend};
}

/** In the daemon: this start's `--backend`, taken out of the environment. */
export function takeBackend(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const backend = env[BACKEND_VARIABLE];
  delete env[BACKEND_VARIABLE];
  return backend;
}
