import {CapsuleError} from '../../src/lib/errors.js';
import {findItem, isRunId, isSessionId} from '../../src/protocol/targets.js';
import type {HandlerTable} from '../core/router.js';
import type {Runner} from '../runner/runner.js';
import type {DaemonServices} from '../services.js';

export function auditHandlers({audit, projects}: DaemonServices, runner: Pick<Runner, 'get'>): Pick<HandlerTable, 'audit.list'> {
  return {
    'audit.list': (query) => {
      const events = audit.list(query);
      // No events, and none ever for this target: a typo must not read as a quiet history. A target
      // that has gone (a removed service) keeps its past events, so it is checked only when there are none.
      if (events.length === 0 && query.target !== undefined && audit.list({target: query.target, limit: 1}).length === 0) assertTarget(query.target);
      return {events};
    },
  };

  /** Throws not_found, with the nearest name, unless `target` names a run, a project or one of its items. */
  function assertTarget(target: string): void {
    if (isRunId(target)) {
      runner.get(target);
      return;
    }
    if (isSessionId(target)) throw new CapsuleError('not_found', `no session ${target} is in the audit trail`, {hint: 'see `capsule session list`'});
    const slash = target.indexOf('/');
    const [project] = projects.list(slash === -1 ? target : target.slice(0, slash));
    if (slash !== -1) findItem(project!, target.slice(slash + 1), ['service', 'task', 'schedule']);
  }
}
