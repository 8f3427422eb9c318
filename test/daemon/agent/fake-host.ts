/** An AgentHost over one declared service, recording what the hub tells it. */
import {serviceSchema, type ServiceConfig} from '../../../src/config/services.js';
import {notFound} from '../../../src/lib/errors.js';
import type {AgentHealth} from '../../../src/protocol/index.js';
import type {AgentHost} from '../../../daemon/agent/agent-hub.js';
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
    this.config = serviceSchema.parse({command: ['true'], ...table});
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
}
