/** An AgentHost over one declared service, recording what the hub tells it. */
import {serviceSchema, type ServiceConfig} from '../../../src/config/services.js';
import {CapsuleError, notFound} from '../../../src/lib/errors.js';
import type {AgentHealth} from '../../../src/protocol/index.js';
import type {AgentHost} from '../../../daemon/agent/agent-hub.js';
import type {RemotePresence} from '../../../daemon/supervisor/index.js';
import {newAgentToken, type AgentToken} from '../../../daemon/supervisor/agent-token.js';

export class FakeHost implements AgentHost {
  readonly beats: (AgentHealth | undefined)[] = [];
  readonly changes: string[] = [];
  readonly audits: {kind: string; target: string; details: Record<string, unknown>}[] = [];
  values: Record<string, string | number | boolean> = {level: 'info', token: 's3cr3t-value'};
  /** The running launch's token (what its process finds in CAPSULE_AGENT_TOKEN); null: app/api is not running. */
  launch: AgentToken | null = newAgentToken();
  readonly config: ServiceConfig;

  constructor(table: Record<string, unknown> = {}) {
    this.config = serviceSchema.parse(table.remote === true ? table : {command: ['true'], ...table});
  }

  declaration(namespace: string, name: string): ServiceConfig {
    if (`${namespace}/${name}` !== 'app/api') throw notFound(`${namespace} declares no service "${name}"`);
    return this.config;
  }

  agentTokenHash(): string | undefined {
    return this.launch?.hash;
  }

  configValues(): Record<string, string | number | boolean> {
    return this.values;
  }

  heartbeat(_namespace: string, _name: string, health?: AgentHealth): void {
    this.beats.push(health);
  }

  changed(namespace: string, name: string): void {
    this.changes.push(`${namespace}/${name}`);
  }

  audit(kind: string, target: string, details: Record<string, unknown>): void {
    this.audits.push({kind, target, details});
  }

  /** Remote services' tokens this host accepts; a local service never gets this far. */
  readonly remoteTokens = new Set<string>();
  readonly presences: string[] = [];

  checkRemoteToken(_namespace: string, _name: string, token: string): void {
    if (!this.remoteTokens.has(token)) throw new CapsuleError('bad_request', 'the token is not the current one');
  }

  remoteConnected(namespace: string, name: string, presence: RemotePresence): void {
    this.presences.push(`${namespace}/${name} connected from ${presence.address}`);
  }

  remoteDisconnected(namespace: string, name: string, reason: string): void {
    this.presences.push(`${namespace}/${name} gone: ${reason}`);
  }
}
