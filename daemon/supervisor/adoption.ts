/**
 * Processes recorded by an earlier daemon. One still alive with the recorded start time is
 * ours and is handed to its service when the service is declared again; a record whose pid
 * is gone or now belongs to another process is dropped. Without /proc nothing can be proven
 * to be ours, so nothing is adopted (or killed).
 */
import {liveStartTime} from './proc-stat.js';
import {stopProcessGroup} from './process-group.js';
import type {ServiceUnit} from './service-unit.js';
import type {PersistedProcess, SupervisorPersistence} from './types.js';

export interface AdoptionReport {
  /** "namespace/name" of each process found alive, waiting for its service to be declared. */
  adoptable: string[];
  /** Records dropped because their process is gone (or its pid was reused). */
  stale: string[];
}

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

/** How a process left by an earlier daemon is stopped when its service is no longer declared. */
const ORPHAN_STOP = {signal: 'SIGTERM' as NodeJS.Signals, timeoutMs: 10_000};

/** Told of each recorded process stopped rather than adopted. */
export type StoppedRecord = (record: PersistedProcess, cause: StoppedRecordCause, forced: boolean) => void;

/** Told of each record dropped because its process is gone: it ended while no daemon watched it, and `reason` says how it was told. */
export type DroppedRecord = (record: PersistedProcess, reason: string) => void;

/** Why a recorded process was stopped: it runs an older definition, its service is gone, or an operator had stopped the service. */
export type StoppedRecordCause = 'replaced' | 'orphaned' | 'operator';

export class AdoptionRegistry {
  private readonly records = new Map<string, PersistedProcess>();
  private loading: Promise<AdoptionReport> | null = null;

  constructor(
    private readonly persistence: SupervisorPersistence,
    private readonly onStopped: StoppedRecord,
    private readonly onDropped: DroppedRecord,
  ) {}

  /** Reads the records once; later calls return the same report. */
  load(): Promise<AdoptionReport> {
    this.loading ??= this.read();
    return this.loading;
  }

  /**
   * Hands the process recorded for this new unit to it; a process started from another
   * definition is stopped instead, so the unit starts afresh. True when the unit took it over.
   */
  async claimFor(unit: ServiceUnit): Promise<boolean> {
    const {namespace, processFingerprint} = unit.definition;
    const key = keyOf(namespace, unit.definition.key);
    const record = this.records.get(key);
    if (!record) return false;
    this.records.delete(key);
    // An operator's stop the earlier daemon recorded but did not live to carry out is carried out now.
    if (unit.stoppedByOperator) {
      await this.stop(record, unit.config.stopSignal, unit.config.stopTimeoutMs, 'operator');
      return false;
    }
    if (record.fingerprint === processFingerprint && (await unit.adopt(record))) return true;
    await this.stop(record, unit.config.stopSignal, unit.config.stopTimeoutMs, 'replaced');
    return false;
  }

  /** Stops every recorded process nobody claimed; returns their targets. */
  async settle(): Promise<string[]> {
    await this.load();
    const records = [...this.records.values()];
    this.records.clear();
    for (const record of records) await this.stop(record, ORPHAN_STOP.signal, ORPHAN_STOP.timeoutMs, 'orphaned');
    return records.map((record) => keyOf(record.namespace, record.name));
  }

  private async stop(record: PersistedProcess, signal: NodeJS.Signals, timeoutMs: number, cause: StoppedRecordCause): Promise<void> {
    // Only if it is still the recorded process: its pid may belong to another by now.
    const gone = await goneReason(record);
    if (gone === null) {
      const {forced} = await stopProcessGroup(record.pid, signal, timeoutMs);
      this.onStopped(record, cause, forced);
    } else this.onDropped(record, gone);
    await this.persistence.removeProcess(record.namespace, record.name);
  }

  private async read(): Promise<AdoptionReport> {
    const report: AdoptionReport = {adoptable: [], stale: []};
    for (const record of await this.persistence.listProcesses()) {
      const key = keyOf(record.namespace, record.name);
      const gone = await goneReason(record);
      if (gone === null) {
        this.records.set(key, record);
        report.adoptable.push(key);
      } else {
        await this.persistence.removeProcess(record.namespace, record.name);
        report.stale.push(key);
        this.onDropped(record, gone);
      }
    }
    return report;
  }
}

/** Why the recorded process is not there any more, or null while it is. */
async function goneReason(record: PersistedProcess): Promise<string | null> {
  const startTime = await liveStartTime(record.pid);
  if (startTime === record.startTime) return null;
  return startTime === null ? `pid ${record.pid} is no longer running` : `pid ${record.pid} now belongs to another process`;
}
