import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {stringArg} from '../cli/args.js';
import {parseDuration} from '../lib/duration.js';
import type {ServiceSummary} from '../protocol/index.js';
import {resolveItemRef} from '../client/targets.js';
import {renderServiceTable} from '../render/services.js';
import {terminalWidth} from '../render/style.js';

export default class Reload extends CapsuleCommand {
  static override summary = "Restart a service's instances one at a time, each once the one before is ready again.";
  static override description =
    'Ready: healthy, or running when the service declares no health probe. An instance not ready within --timeout stops the reload (exit 1); the instances after it keep running. With one instance this is a restart that waits until it is ready. To reload a project\'s capsule.toml, see `capsule project reload`.';
  static override examples = ['<%= config.bin %> reload reports/api', '<%= config.bin %> reload reports/api --timeout 2m'];
  static override args = {service: stringArg({required: true, description: 'NAMESPACE/SERVICE or SERVICE in its project (SERVICE#N: one instance).'})};
  static override flags = {
    timeout: Flags.string({default: '60s', description: 'How long each instance may take to be ready again (e.g. 30s, 2m).'}),
    ...autostartFlag,
  };

  async run(): Promise<{services: (ServiceSummary & {namespace: string})[]}> {
    const {args, flags} = await this.parse(Reload);
    const timeoutMs = parseDuration(flags.timeout, '--timeout');
    const client = await this.daemon(flags.autostart);
    const result = await client.call('service.reload', {...(await resolveItemRef(client, args.service, 'service')), timeoutMs});
    this.log(renderServiceTable(result.services, {width: terminalWidth(), paint: this.paint}));
    return result;
  }
}
