import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {stringArg} from '../cli/args.js';
import {ADHOC_NAMESPACE} from '../config/adhoc-file.js';
import {parseItemRef} from '../protocol/targets.js';

export default class Delete extends CapsuleCommand {
  static override summary = 'Stop an ad-hoc service (started with `capsule start --name`) and remove it.';
  static override description = 'NAME alone is an ad-hoc service. A service a project declares in its own capsule.toml is refused: remove it from that file.';
  static override examples = ['<%= config.bin %> delete web', '<%= config.bin %> delete adhoc/web'];
  static override args = {target: stringArg({required: true, description: 'NAME or adhoc/NAME.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<{namespace: string; name: string; file: string}> {
    const {args, flags} = await this.parse(Delete);
    const ref = args.target.includes('/') ? parseItemRef(args.target, 'service') : {namespace: ADHOC_NAMESPACE, name: args.target};
    const client = await this.daemon(flags.autostart);
    const removed = await client.call('service.delete', ref);
    this.log(`deleted ${removed.namespace}/${removed.name} (stopped, and removed from ${removed.file})`);
    return removed;
  }
}
