import {Flags} from '@oclif/core';
import {CapsuleCommand} from '../../cli/base.js';
import {uninstallUnit, type UnitUninstall} from '../../lib/systemd-unit.js';
import {renderUnitRemoved} from '../../render/systemd.js';

export default class DaemonUninstall extends CapsuleCommand {
  static override summary = 'Remove the systemd unit `capsule daemon install` wrote.';
  static override description = 'Removes the unit and the link that enabled it; a daemon it started keeps running until stopped. Exits 1 when there is no unit to remove.';
  static override examples = ['<%= config.bin %> daemon uninstall', 'sudo <%= config.bin %> daemon uninstall --system'];
  static override flags = {
    system: Flags.boolean({description: 'The system unit (/etc/systemd/system) instead of the user unit.'}),
  };

  async run(): Promise<UnitUninstall> {
    const {flags} = await this.parse(DaemonUninstall);
    const result = uninstallUnit(flags.system ? 'system' : 'user');
    this.log(renderUnitRemoved(result, this.paint));
    return result;
  }
}
