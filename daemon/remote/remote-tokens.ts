/**
 * The tokens of remote services (`capsule service token`): one current secret per service, kept
 * sealed (so the operator can print the token again) beside its SHA-256 (what a registration is
 * checked against), in CAPSULE_HOME/remote-tokens.json, mode 0600. Revoking keeps the record's
 * date, so a refused agent is told its token was revoked rather than unknown.
 */
import {CapsuleError} from '../../src/lib/errors.js';
import {formatInstant} from '../../src/lib/duration.js';
import {PrivateDataFile} from '../core/private-file.js';
import type {SealedValue, SecretBox} from '../core/secret-box.js';
import {SerialQueue} from '../core/serial-queue.js';
import {agentTokenMatches, newAgentToken} from '../supervisor/agent-token.js';

interface StoredToken {
  sealed: SealedValue;
  sha256: string;
  issuedAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

interface TokenFile {
  version: 1;
  tokens: Record<string, StoredToken>;
}

/** A service's current token as the daemon keeps it: `secret` is what the token string carries. */
export interface ServiceToken {
  secret: string;
  issuedAt: string;
  expiresAt: string | null;
}

export class RemoteTokens {
  readonly #file: PrivateDataFile<TokenFile>;
  readonly #box: SecretBox;
  readonly #writes = new SerialQueue();
  #data: TokenFile;

  private constructor(file: PrivateDataFile<TokenFile>, box: SecretBox, data: TokenFile) {
    this.#file = file;
    this.#box = box;
    this.#data = data;
  }

  static async open(path: string, box: SecretBox): Promise<RemoteTokens> {
    const file = new PrivateDataFile<TokenFile>(path, {
      parse: (text) => {
        const data = JSON.parse(text) as TokenFile;
        if (data?.version !== 1 || typeof data.tokens !== 'object') throw new CapsuleError('internal', `${path} is not a remote token file`, {hint: `move it away; tokens issued before must then be issued again`});
        return data;
      },
      stringify: (data) => `${JSON.stringify(data, null, 2)}\n`,
    });
    return new RemoteTokens(file, box, (await file.read()) ?? {version: 1, tokens: {}});
  }

  /** The service's current token, or undefined when none is (it was never issued, or was revoked). */
  current(target: string): ServiceToken | undefined {
    const stored = this.#data.tokens[target];
    if (!stored || stored.revokedAt !== null) return undefined;
    const secret = this.#box.open(stored.sealed);
    if (typeof secret !== 'string') return undefined;
    return {secret, issuedAt: stored.issuedAt, expiresAt: stored.expiresAt};
  }

  /** Issues a new token for the service (replacing the one it had): `ttlMs` null never expires. Resolves once on disk. */
  async issue(target: string, now: number, ttlMs: number | null): Promise<ServiceToken> {
    const {token: secret, hash} = newAgentToken();
    const issued: StoredToken = {sealed: this.#box.seal(secret), sha256: hash, issuedAt: new Date(now).toISOString(), expiresAt: ttlMs === null ? null : new Date(now + ttlMs).toISOString(), revokedAt: null};
    await this.#change((tokens) => ({...tokens, [target]: issued}));
    return {secret, issuedAt: issued.issuedAt, expiresAt: issued.expiresAt};
  }

  /** False when the service had no token to revoke. */
  async revoke(target: string, now: number): Promise<boolean> {
    let revoked = false;
    await this.#change((tokens) => {
      const stored = tokens[target];
      if (!stored || stored.revokedAt !== null) return tokens;
      revoked = true;
      return {...tokens, [target]: {...stored, revokedAt: new Date(now).toISOString()}};
    });
    return revoked;
  }

  /** Throws bad_request saying why `secret` does not let an agent register as `target` now. */
  check(target: string, secret: string, now: number): void {
    const stored = this.#data.tokens[target];
    const reissue = `issue one with \`capsule service token ${target}\` on the daemon's machine`;
    if (!stored) throw new CapsuleError('bad_request', `no token was issued for ${target}`, {hint: reissue});
    if (!agentTokenMatches(stored.sha256, secret)) throw new CapsuleError('bad_request', `the token is not ${target}'s current one (it was rotated, or never was)`, {hint: `print the current one with \`capsule service token ${target}\``});
    if (stored.revokedAt !== null) throw new CapsuleError('bad_request', `the token of ${target} was revoked at ${formatInstant(stored.revokedAt)}`, {hint: reissue});
    if (stored.expiresAt !== null && Date.parse(stored.expiresAt) <= now) throw new CapsuleError('bad_request', `the token of ${target} expired at ${formatInstant(stored.expiresAt)}`, {hint: `issue a new one with \`capsule service token ${target} --rotate\``});
  }

  /** One change at a time, each applied to what the one before left. */
  #change(change: (tokens: Record<string, StoredToken>) => Record<string, StoredToken>): Promise<void> {
    return this.#writes.run(async () => {
      const next: TokenFile = {version: 1, tokens: change(this.#data.tokens)};
      await this.#file.write(next);
      this.#data = next;
    });
  }
}
