import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {resolveItemRef} from '../../client/targets.js';
import type {ConfigEntry} from '../../protocol/index.js';
import {formatValue} from '../../render/services.js';
import {stringArg} from '../../cli/args.js';

/** How a change reached the service, as `config set` and `config unset` say it. */
export const CONFIG_APPLIED = {live: 'delivered live to the running service', restart: 'the service was restarted to apply it', stored: 'stored; it applies when the service next starts', unchanged: 'unchanged'};

export default class ConfigSet extends CapsuleCommand {
  static override summary = 'Set a configuration value of a service, typed and validated against its declaration.';
  static override description = 'The change is recorded in the audit trail (secrets masked). A service with the embedded agent receives it live; others are restarted to apply it.';
  static override examples = ['<%= config.bin %> config set reports/api port 8081', '<%= config.bin %> config set reports/api api_key s3cr3t'];
  static override args = {
    service: stringArg({required: true, description: 'NAMESPACE/SERVICE, or SERVICE in its project.'}),
    key: stringArg({required: true, description: 'Configuration key.'}),
    value: stringArg({required: true, description: 'New value (parsed as the declared type).'}),
  };
  static override flags = {...autostartFlag};

  async run(): Promise<{entry: ConfigEntry; applied: keyof typeof CONFIG_APPLIED}> {
    const {args, flags} = await this.parse(ConfigSet);
    const client = await this.daemon(flags.autostart);
    const ref = await resolveItemRef(client, args.service, 'service');
    const result = await client.call('service.config.set', {...ref, key: args.key, value: args.value});
    this.log(`${ref.namespace}/${ref.name} ${result.entry.key} = ${formatValue(result.entry.value)}: ${CONFIG_APPLIED[result.applied]}`);
    return result;
  }
}
