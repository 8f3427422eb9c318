// The V8 flags of the daemon process, in one place: what each is for, and when it is set.
// Plain values: the CLI, which spawns the daemon, must not load node:v8 (a few ms of every
// command); daemon/main.ts applies the two runtime ones with setFlagsFromString.

/**
 * On the daemon's command line. V8 lets the young generation grow to 16 MiB a semi-space, and
 * the daemon keeps what it grew to while loading its projects. Its garbage is short-lived (a
 * request's worth), so a 4 MiB cap leaves burst throughput as it was and the idle daemon
 * smaller (src/startup/README.md has the figures).
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=4'];

/**
 * Set by daemon/main.ts before the daemon starts anything. V8 sized the daemon's own heap from
 * DAEMON_NODE_FLAGS when the process started and reads the flag again for each new isolate,
 * so resetting it now gives task worker threads V8's default young generation, not the cap.
 */
export const WORKER_THREADS_DEFAULT_YOUNG_GENERATION = '--max-semi-space-size=0';

/**
 * Set by daemon/main.ts once Daemon.start returns. V8 (11.3, Node 20) optimizes a function
 * once it has run 67,584 bytes of bytecode. The daemon's request paths are few and hot, and at
 * that budget a fresh daemon took some 3,000 runs to reach its steady throughput; a quarter of
 * it gets there in about 1,000 (`npm run bench -- tasks`). Lowered only once start-up is over:
 * from the start, it also optimized the project-loading code that runs once, and the idle
 * daemon kept that code. The flag is process-wide, so task code in worker threads is optimized
 * sooner too; V8 reads it whenever it resets a function's budget, so changing it while threads
 * run only moves that threshold.
 */
export const TIER_UP_SOONER = '--interrupt-budget=16384';
