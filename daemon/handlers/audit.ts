import type {HandlerTable} from '../core/router.js';
import type {DaemonServices} from '../services.js';

export function auditHandlers({audit}: DaemonServices): Pick<HandlerTable, 'audit.list'> {
  return {
    'audit.list': (query) => ({events: audit.list(query)}),
  };
}
