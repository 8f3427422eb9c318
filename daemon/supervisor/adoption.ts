/**
 * Processes recorded by an earlier daemon. One still alive with the recorded start time is
 * ours and is handed to its service when the service is declared again; a record whose pid
 * is gone or now belongs to another process is dropped. Without /proc nothing can be proven
 * to be ours, so nothing is adopted (or killed).
 */
import {liveStartTime} from './proc-stat.js';
import {stopProcessGroup} from './process-group.js';
import type {PersistedProcess, SupervisorPersistence} from './types.js';

export interface AdoptionReport {
  /** "namespace/name" of each process found alive, waiting for its service to be declared. */
  adoptable: string[];
  /** Records dropped because their process is gone (or its pid was reused). */
  stale: string[];
}

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

export class AdoptionRegistry {
  private readonly records = new Map<string, PersistedProcess>();
  private loading: Promise<AdoptionReport> | null = null;

  constructor(private readonly persistence: SupervisorPersistence) {}

  /** Reads the records once; later calls return the same report. */
  load(): Promise<AdoptionReport> {
    this.loading ??= this.read();
    return this.loading;
  }

  /** The live process recorded for this service, handed out once. */
  claim(namespace: string, name: string): PersistedProcess | null {
    const key = keyOf(namespace, name);
    const record = this.records.get(key) ?? null;
    this.records.delete(key);
    return record;
  }

  /** Every record nobody claimed, handed out once. */
  takeUnclaimed(): PersistedProcess[] {
    const records = [...this.records.values()];
    this.records.clear();
    return records;
  }

  private async read(): Promise<AdoptionReport> {
    const report: AdoptionReport = {adoptable: [], stale: []};
    for (const record of await this.persistence.listProcesses()) {
      const key = keyOf(record.namespace, record.name);
      if ((await liveStartTime(record.pid)) === record.startTime) {
        this.records.set(key, record);
        report.adoptable.push(key);
      } else {
        await this.persistence.removeProcess(record.namespace, record.name);
        report.stale.push(key);
      }
    }
    return report;
  }
}

/** Stops a recorded process group if it is still the recorded process; false when it was already gone. */
export async function stopRecorded(record: PersistedProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<{stopped: boolean; forced: boolean}> {
  if ((await liveStartTime(record.pid)) !== record.startTime) return {stopped: false, forced: false};
  const {forced} = await stopProcessGroup(record.pid, signal, timeoutMs);
  return {stopped: true, forced};
}
