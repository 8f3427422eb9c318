/**
 * What the daemon knows of remote services beyond their agents' sessions: their tokens, and
 * whether (and where) it listens for them. One place answers `capsule service token` and checks
 * the token a remote agent registers with.
 */
import {CapsuleError} from '../../src/lib/errors.js';
import {formatAddress, parseRemoteToken} from '../../src/protocol/remote-token.js';
import type {ServiceToken} from '../../src/protocol/index.js';
import type {AuditLog} from '../core/audit-log.js';
import type {RemoteAgents} from './remote-agents.js';
import type {RemoteTokens} from './remote-tokens.js';

export interface TokenRequest {
  rotate: boolean;
  revoke: boolean;
  /** A new token's lifetime; null: it does not expire. */
  ttlMs: number | null;
}

export class RemoteControl {
  constructor(
    private readonly tokens: RemoteTokens,
    /** null: daemon.toml has no `listen`, so no agent can connect. */
    private readonly agents: RemoteAgents | null,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws bad_request saying why `token` does not let an agent register as namespace/name. */
  checkToken(namespace: string, name: string, token: string): void {
    const target = `${namespace}/${name}`;
    const parsed = parseRemoteToken(token);
    if (parsed.service !== target) throw new CapsuleError('bad_request', `the token is ${parsed.service}'s, not ${target}'s`, {hint: `an agent registers as the service its token names: \`capsule service token ${target}\` prints ${target}'s`});
    this.tokens.check(target, parsed.secret, this.now());
  }

  /** `capsule service token`: the current token (issued the first time), a new one (`rotate`), or none (`revoke`). */
  async token(namespace: string, name: string, request: TokenRequest, actor: string): Promise<ServiceToken> {
    const target = `${namespace}/${name}`;
    if (request.rotate && request.revoke) throw new CapsuleError('bad_input', 'expected --rotate or --revoke, got both', {hint: '--rotate issues a new token (the old one stops working); --revoke leaves the service with none'});
    if (request.revoke) {
      const revoked = await this.tokens.revoke(target, this.now());
      if (!revoked) throw new CapsuleError('conflict', `${target} has no token to revoke`, {hint: `\`capsule service token ${target}\` issues one`});
      this.audit.record({actor, kind: 'service.token', target, details: {revoked: true}});
      this.agents?.disconnect(namespace, name, 'its token was revoked');
      return {service: target, token: null, address: this.address(), fingerprint: this.agents?.fingerprint ?? null, issuedAt: null, expiresAt: null, issued: false, revoked: true};
    }
    const agents = this.requireListening();
    const kept = request.rotate ? undefined : this.tokens.current(target);
    const current = kept ?? (await this.tokens.issue(target, this.now(), request.ttlMs));
    if (!kept) {
      this.audit.record({actor, kind: 'service.token', target, details: {rotated: request.rotate, expiresAt: current.expiresAt}});
      // The agent holding the old token goes at once: rotating is how a leaked token is replaced.
      if (request.rotate) agents.disconnect(namespace, name, 'its token was rotated');
    }
    return {service: target, token: agents.tokenFor(target, current.secret), address: this.address(), fingerprint: agents.fingerprint, issuedAt: current.issuedAt, expiresAt: current.expiresAt, issued: !kept, revoked: false};
  }

  private address(): string | null {
    return this.agents ? formatAddress(this.agents.address) : null;
  }

  private requireListening(): RemoteAgents {
    if (this.agents) return this.agents;
    throw new CapsuleError('conflict', 'this daemon opens no port for remote agents, so a token would lead nowhere', {
      hint: 'add `listen = "0.0.0.0:7700"` to CAPSULE_HOME/daemon.toml and restart the daemon (`capsule daemon restart`)',
    });
  }
}
