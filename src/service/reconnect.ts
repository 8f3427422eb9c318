/** Waits between attempts to reach the daemon: from RECONNECT_INITIAL_MS, doubling, up to RECONNECT_MAX_MS. */
export const RECONNECT_INITIAL_MS = 100;
export const RECONNECT_MAX_MS = 5_000;

export function reconnectDelay(attempt: number): number {
  return Math.min(RECONNECT_INITIAL_MS * 2 ** attempt, RECONNECT_MAX_MS);
}
