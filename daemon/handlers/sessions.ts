import type {HandlerTable} from '../core/router.js';
import type {SessionManager} from '../sessions/session-manager.js';

type SessionMethod = 'session.new' | 'session.list' | 'session.close' | 'session.execute' | 'session.input' | 'session.interrupt' | 'session.complete';

export function sessionHandlers(sessions: SessionManager): Pick<HandlerTable, SessionMethod> {
  return {
    'session.new': (params, call) => sessions.create(params, call.actor),
    'session.list': () => ({sessions: sessions.list()}),
    'session.close': ({id}, call) => sessions.close(id, call.actor),
    'session.execute': (params, call) => {
      // Subscribed before the snippet is queued: its first line cannot be missed.
      const execution = params.execution ?? crypto.randomUUID();
      if (params.follow) call.subscribe(`session:${execution}`);
      return sessions.execute({...params, execution}, call.gone).finally(() => {
        if (params.follow) call.unsubscribe(`session:${execution}`);
      });
    },
    'session.input': ({id, inputId, text}) => ({answered: sessions.answer(id, inputId, text)}),
    'session.interrupt': ({id}) => ({interrupted: sessions.interrupt(id)}),
    'session.complete': async ({id, expression}) => ({names: await sessions.complete(id, expression)}),
  };
}
