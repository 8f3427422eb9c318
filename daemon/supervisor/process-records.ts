/** Keeps the persisted record of a service's running process in step with the process. */
import type {ProcessHandle} from './process-handle.js';
import type {ServiceDefinition} from './service-definition.js';
import type {ServiceLog} from './service-log.js';
import type {SupervisorPersistence} from './types.js';

/** A failure is noted in the service log: the service runs on, only a restarted daemon would not recognise it. */
export async function recordProcess(persistence: SupervisorPersistence, definition: ServiceDefinition, handle: ProcessHandle, agentTokenHash: string, log: ServiceLog): Promise<void> {
  if (handle.startTime === null) return;
  const {namespace, key, processFingerprint: fingerprint} = definition;
  try {
    await persistence.saveProcess({namespace, name: key, pid: handle.pid, startTime: handle.startTime, startedAt: new Date(handle.startedAt).toISOString(), fingerprint, agentTokenHash, captured: handle.captured});
  } catch (error) {
    log.note(`could not record pid ${handle.pid}; a restarted daemon will not recognise it: ${(error as Error).message}`);
  }
}

export async function forgetProcess(persistence: SupervisorPersistence, definition: ServiceDefinition, log: ServiceLog): Promise<void> {
  try {
    await persistence.removeProcess(definition.namespace, definition.key);
  } catch (error) {
    log.note(`could not clear the recorded pid: ${(error as Error).message}`);
  }
}
