import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {resolveItemRef} from '../../client/targets.js';
import type {ConfigEntry} from '../../protocol/index.js';
import {formatValue} from '../../render/services.js';
import {stringArg} from '../../cli/args.js';

export default class ConfigGet extends CapsuleCommand {
  static override summary = 'Print one configuration value of a service (a secret prints as ***).';
  static override examples = ['<%= config.bin %> config get reports/api port'];
  static override args = {
    service: stringArg({required: true, description: 'NAMESPACE/SERVICE, or SERVICE in its project.'}),
    key: stringArg({required: true, description: 'Configuration key.'}),
  };
  static override flags = {...autostartFlag};

  async run(): Promise<{entry: ConfigEntry}> {
    const {args, flags} = await this.parse(ConfigGet);
    const client = await this.daemon(flags.autostart);
    const result = await client.call('service.config.get', {...(await resolveItemRef(client, args.service, 'service')), key: args.key});
    this.log(formatValue(result.entry.value));
    return result;
  }
}
