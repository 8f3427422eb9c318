import type {ConfigValue} from '../../../src/config/services.js';
import type {PersistedProcess, SupervisorPersistence} from '../../../daemon/supervisor/types.js';

/** The persistence a daemon's store provides, kept in memory; two supervisors may share one. */
export class MemoryPersistence implements SupervisorPersistence {
  readonly processes = new Map<string, PersistedProcess>();
  readonly configValues = new Map<string, Record<string, ConfigValue>>();
  readonly stoppedByOperator = new Set<string>();

  async listProcesses(): Promise<PersistedProcess[]> {
    return [...this.processes.values()];
  }

  async saveProcess(record: PersistedProcess): Promise<void> {
    this.processes.set(`${record.namespace}/${record.name}`, {...record});
  }

  async removeProcess(namespace: string, name: string): Promise<void> {
    this.processes.delete(`${namespace}/${name}`);
  }

  async loadConfigValues(namespace: string, name: string): Promise<Record<string, ConfigValue>> {
    return {...this.configValues.get(`${namespace}/${name}`)};
  }

  async saveConfigValues(namespace: string, name: string, values: Record<string, ConfigValue>): Promise<void> {
    this.configValues.set(`${namespace}/${name}`, {...values});
  }

  async loadStoppedByOperator(namespace: string, name: string): Promise<boolean> {
    return this.stoppedByOperator.has(`${namespace}/${name}`);
  }

  async saveStoppedByOperator(namespace: string, name: string, stopped: boolean): Promise<void> {
    if (stopped) this.stoppedByOperator.add(`${namespace}/${name}`);
    else this.stoppedByOperator.delete(`${namespace}/${name}`);
  }
}
