import type {HandlerTable} from '../core/server.js';
import type {DaemonServices} from '../services.js';

export function auditHandlers({audit}: DaemonServices): Pick<HandlerTable, 'audit.list'> {
  return {
    'audit.list': (params) => {
      const query: {target?: string; sinceMs?: number; limit?: number} = {};
      if (typeof params?.target === 'string') query.target = params.target;
      if (typeof params?.sinceMs === 'number') query.sinceMs = params.sinceMs;
      if (typeof params?.limit === 'number') query.limit = params.limit;
      return {events: audit.list(query)};
    },
  };
}
