/** The `agent.*` methods: their params are checked by the protocol's schemas, then handed to the hub. */
import type {HandlerTable} from '../core/router.js';
import type {AgentHub} from './agent-hub.js';

type AgentMethod = 'agent.register' | 'agent.next' | 'agent.reply' | 'agent.output' | 'agent.heartbeat' | 'agent.status';

export function agentHandlers(hub: AgentHub): Pick<HandlerTable, AgentMethod> {
  return {
    'agent.register': (params, call) => hub.register(call.connectionId, params),
    'agent.next': async ({session}, call) => ({requests: await hub.session(session, call.connectionId).next()}),
    'agent.reply': ({session, id, outcome}, call) => ({accepted: hub.session(session, call.connectionId).reply(id, outcome)}),
    'agent.output': ({session, id, text}, call) => ({accepted: hub.session(session, call.connectionId).output(id, text)}),
    'agent.heartbeat': ({session, health, metrics}, call) => {
      hub.heartbeat(hub.session(session, call.connectionId), health, metrics);
      return {accepted: true};
    },
    'agent.status': ({namespace, name}) => ({agent: hub.status(namespace, name)}),
  };
}
