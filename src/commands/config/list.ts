import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {resolveItemRef} from '../../client/targets.js';
import type {ConfigEntry} from '../../protocol/index.js';
import {renderConfigEntries} from '../../render/services.js';
import {terminalWidth} from '../../render/style.js';
import {stringArg} from '../../cli/args.js';

export default class ConfigList extends CapsuleCommand {
  static override summary = "List a service's declared configuration (secrets shown as ***).";
  static override examples = ['<%= config.bin %> config list reports/api'];
  static override args = {service: stringArg({required: true, description: 'NAMESPACE/SERVICE, or SERVICE in its project.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<{entries: ConfigEntry[]}> {
    const {args, flags} = await this.parse(ConfigList);
    const client = await this.daemon(flags.autostart);
    const result = await client.call('service.config.list', await resolveItemRef(client, args.service, 'service'));
    this.log(renderConfigEntries(result.entries, {width: terminalWidth(), paint: this.paint}));
    return result;
  }
}
