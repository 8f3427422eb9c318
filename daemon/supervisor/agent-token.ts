/**
 * Each launch of a service gets a token of its own: a random secret put in that one process's
 * environment (CAPSULE_AGENT_TOKEN), which its embedded agent shows to register. The daemon keeps
 * only its SHA-256 (in memory and in state.json, so a re-adopted process can register with the
 * next daemon): nothing in CAPSULE_HOME, agent.key included, lets a process work a token out.
 */
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto';

export interface AgentToken {
  token: string;
  hash: string;
}

export function newAgentToken(): AgentToken {
  const token = randomBytes(32).toString('base64url');
  return {token, hash: agentTokenHash(token)};
}

export function agentTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether `token` is the one whose hash is `hash`, in constant time. */
export function agentTokenMatches(hash: string, token: string): boolean {
  const expected = Buffer.from(hash, 'hex');
  const given = Buffer.from(agentTokenHash(token), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
