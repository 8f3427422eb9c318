import {readFileSync, writeFileSync} from 'node:fs';
import type {ConfigValue} from '../../../src/config/services.js';
import type {PersistedProcess, SupervisorPersistence} from '../../../daemon/supervisor/types.js';

interface State {
  processes: Record<string, PersistedProcess>;
  configValues: Record<string, Record<string, ConfigValue>>;
  stoppedByOperator?: string[];
}

/** The persistence kept in one JSON file, so a second process (a restarted daemon) sees the first one's records. */
export class FilePersistence implements SupervisorPersistence {
  constructor(private readonly file: string) {}

  async listProcesses(): Promise<PersistedProcess[]> {
    return Object.values(this.read().processes);
  }

  async saveProcess(record: PersistedProcess): Promise<void> {
    this.update((state) => (state.processes[`${record.namespace}/${record.name}`] = record));
  }

  async removeProcess(namespace: string, name: string): Promise<void> {
    this.update((state) => delete state.processes[`${namespace}/${name}`]);
  }

  async loadConfigValues(namespace: string, name: string): Promise<Record<string, ConfigValue>> {
    return this.read().configValues[`${namespace}/${name}`] ?? {};
  }

  async saveConfigValues(namespace: string, name: string, values: Record<string, ConfigValue>): Promise<void> {
    this.update((state) => (state.configValues[`${namespace}/${name}`] = values));
  }

  async loadStoppedByOperator(namespace: string, name: string): Promise<boolean> {
    return (this.read().stoppedByOperator ?? []).includes(`${namespace}/${name}`);
  }

  async saveStoppedByOperator(namespace: string, name: string, stopped: boolean): Promise<void> {
    const target = `${namespace}/${name}`;
    this.update((state) => (state.stoppedByOperator = [...(state.stoppedByOperator ?? []).filter((other) => other !== target), ...(stopped ? [target] : [])]));
  }

  private read(): State {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as State;
    } catch {
      return {processes: {}, configValues: {}};
    }
  }

  private update(change: (state: State) => unknown): void {
    const state = this.read();
    change(state);
    writeFileSync(this.file, JSON.stringify(state));
  }
}
