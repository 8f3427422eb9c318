import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import type {ServiceSummary} from '../protocol/index.js';
import {renderServiceTable} from '../render/services.js';
import {terminalWidth} from '../render/style.js';
import {stringArg} from '../cli/args.js';

export default class Services extends CapsuleCommand {
  static override summary = 'List services with state, health, pid, uptime, restarts, CPU and memory.';
  static override examples = ['<%= config.bin %> services', '<%= config.bin %> services reports --json'];
  static override args = {namespace: stringArg({description: 'Only this project.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<{services: (ServiceSummary & {namespace: string})[]}> {
    const {args, flags} = await this.parse(Services);
    const client = await this.daemon(flags.autostart);
    const result = await client.call('service.list', args.namespace === undefined ? {} : {namespace: args.namespace});
    this.log(renderServiceTable(result.services, {width: terminalWidth(), paint: this.paint}));
    // Listed without them rather than not at all: say so.
    if ((await client.call('daemon.status', {})).cluster?.reachable === false) this.warn("the backend is out of reach: the other nodes' services are not listed (`capsule daemon status` says more)");
    return result;
  }
}
