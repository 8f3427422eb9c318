/** An AgentHost over one declared service, recording what the hub tells it. */
import {serviceSchema, type ServiceConfig} from '../../../src/config/services.js';
import {notFound} from '../../../src/lib/errors.js';
import type {AgentHealth} from '../../../src/protocol/index.js';
import type {AgentHost} from '../../../daemon/agent/agent-hub.js';
import {readProcStat} from '../../../daemon/supervisor/proc-stat.js';

/** This process's group: the hub accepts an agent of this process when it is the service's. */
export async function ownProcessGroup(): Promise<number> {
  return (await readProcStat(process.pid))!.pgrp;
}

export class FakeHost implements AgentHost {
  readonly beats: (AgentHealth | undefined)[] = [];
  readonly changes: string[] = [];
  readonly audits: {kind: string; target: string; details: Record<string, unknown>}[] = [];
  values: Record<string, string | number | boolean> = {level: 'info', token: 's3cr3t-value'};
  servicePid: number | null;
  readonly config: ServiceConfig;

  constructor(servicePid: number | null, table: Record<string, unknown> = {}) {
    this.servicePid = servicePid;
    this.config = serviceSchema.parse({command: ['true'], ...table});
  }

  declaration(namespace: string, name: string): ServiceConfig {
    if (`${namespace}/${name}` !== 'app/api') throw notFound(`${namespace} declares no service "${name}"`);
    return this.config;
  }

  pid(): number | null {
    return this.servicePid;
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
