import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {resolveItemRef} from '../../client/targets.js';
import type {ConfigEntry} from '../../protocol/index.js';
import {formatValue} from '../../render/services.js';
import {stringArg} from '../../cli/args.js';
import {CONFIG_APPLIED} from './set.js';

export default class ConfigUnset extends CapsuleCommand {
  static override summary = "Remove an operator's value of a service's configuration key: its declared default applies again.";
  static override description = 'Audited and applied as `config set` is: live through the embedded agent, else by a restart of a running service. A key without a default that the command, env or probe refers to is required and cannot be unset.';
  static override examples = ['<%= config.bin %> config unset reports/api port'];
  static override args = {
    service: stringArg({required: true, description: 'NAMESPACE/SERVICE, or SERVICE in its project.'}),
    key: stringArg({required: true, description: 'Configuration key.'}),
  };
  static override flags = {...autostartFlag};

  async run(): Promise<{entry: ConfigEntry; applied: keyof typeof CONFIG_APPLIED}> {
    const {args, flags} = await this.parse(ConfigUnset);
    const client = await this.daemon(flags.autostart);
    const ref = await resolveItemRef(client, args.service, 'service');
    const result = await client.call('service.config.unset', {...ref, key: args.key});
    const value = result.entry.value === null ? 'no value' : `${formatValue(result.entry.value)} (the default)`;
    this.log(`${ref.namespace}/${ref.name} ${result.entry.key} = ${value}: ${CONFIG_APPLIED[result.applied]}`);
    return result;
  }
}
