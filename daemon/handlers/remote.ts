import {CapsuleError} from '../../src/lib/errors.js';
import type {HandlerTable} from '../core/router.js';
import type {ServicesPlugin} from '../plugins/services.js';
import type {RemoteControl} from '../remote/remote-control.js';

export function remoteHandlers(control: RemoteControl, services: ServicesPlugin): Pick<HandlerTable, 'service.token'> {
  return {
    'service.token': ({namespace, name, rotate, revoke, ttlMs}, call) => {
      if (!services.declaration(namespace, name).remote) {
        throw new CapsuleError('bad_input', `${namespace}/${name} is not a remote service: the daemon starts it and gives it its token itself`, {
          hint: `to run it on another machine, declare it with \`remote = true\` (and no command) in [services.${name}]`,
        });
      }
      return control.token(namespace, name, {rotate, revoke, ttlMs}, call.actor);
    },
  };
}
