import {Flags} from '@oclif/core';
import {CapsuleCommand} from '../../cli/base.js';
import {daemonUnitSpec, installUnit, type UnitInstall} from '../../lib/systemd-unit.js';
import {renderUnitInstalled, renderUnitPrinted} from '../../render/systemd.js';

export default class DaemonInstall extends CapsuleCommand {
  static override summary = 'Write a systemd unit that starts the daemon at boot.';
  static override description =
    'A user unit (~/.config/systemd/user/capsule.service) by default; --system writes /etc/systemd/system/capsule.service (root only). The unit runs this install of Capsule for this CAPSULE_HOME. Prints the systemctl line that enables it. Without systemd, prints the unit instead.';
  static override examples = ['<%= config.bin %> daemon install', 'sudo <%= config.bin %> daemon install --system', '<%= config.bin %> daemon install --print > capsule.service'];
  static override flags = {
    system: Flags.boolean({description: 'A system unit, run by PID 1 (root only), instead of a user unit.'}),
    force: Flags.boolean({description: 'Replace an existing unit that differs.'}),
    print: Flags.boolean({description: 'Print the unit on stdout and write nothing.'}),
  };

  async run(): Promise<UnitInstall> {
    const {flags} = await this.parse(DaemonInstall);
    const scope = flags.system ? 'system' : 'user';
    const result = installUnit(daemonUnitSpec(scope, this.paths.home), {force: flags.force, print: flags.print});
    if (result.outcome === 'printed') {
      this.logToStderr(renderUnitPrinted(result));
      // Only the unit on stdout, so that `> capsule.service` keeps it whole.
      if (!this.jsonEnabled()) process.stdout.write(result.unit);
    } else this.log(renderUnitInstalled(result, this.paint));
    return result;
  }
}
