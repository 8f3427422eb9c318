import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {stringArg} from '../cli/args.js';
import {badInput} from '../lib/errors.js';
import {MAX_INSTANCES, type ServiceSummary} from '../protocol/index.js';
import {resolveItemRef} from '../client/targets.js';
import {renderServiceTable} from '../render/services.js';
import {terminalWidth} from '../render/style.js';

export default class Scale extends CapsuleCommand {
  static override summary = 'Run N instances of a service.';
  static override description = `New instances start (if the service is up); scaling down stops the highest. The count holds across daemon restarts until capsule.toml's \`instances\` for the service changes. N is 1 to ${MAX_INSTANCES}.`;
  static override examples = ['<%= config.bin %> scale reports/api 4'];
  static override args = {
    service: stringArg({required: true, description: 'NAMESPACE/SERVICE, or SERVICE in its project.'}),
    count: stringArg({required: true, description: `How many instances, 1 to ${MAX_INSTANCES}.`}),
  };
  static override flags = {...autostartFlag};

  async run(): Promise<{services: (ServiceSummary & {namespace: string})[]}> {
    const {args, flags} = await this.parse(Scale);
    const instances = parseCount(args.count, args.service);
    const client = await this.daemon(flags.autostart);
    const result = await client.call('service.scale', {...(await resolveItemRef(client, args.service, 'service')), instances});
    this.log(renderServiceTable(result.services, {width: terminalWidth(), paint: this.paint}));
    return result;
  }
}

/** A whole number as typed: "2.5", "-1" and "4x" are refused here, the range by the daemon (with the same words). */
function parseCount(text: string, target: string): number {
  if (!/^-?[0-9]+$/.test(text.trim())) throw badInput(`expected a whole number of instances (1 to ${MAX_INSTANCES}), got ${JSON.stringify(text)}`, `for example \`capsule scale ${target} 3\``);
  return Number(text);
}
