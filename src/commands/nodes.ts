import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import type {NodeInfo} from '../protocol/index.js';
import {renderNodeTable} from '../render/nodes.js';
import {terminalWidth} from '../render/style.js';

export default class Nodes extends CapsuleCommand {
  static override summary = 'List the nodes sharing this daemon\'s backend: version, running attempts out of capacity, load, last heartbeat.';
  static override description = 'A node silent past its lease (killed, cut off from the backend) is listed as lost, for a day. Without a backend, the daemon is the only node.';
  static override examples = ['<%= config.bin %> nodes', '<%= config.bin %> nodes --json'];
  static override flags = {...autostartFlag};

  async run(): Promise<{backend: string; nodes: NodeInfo[]}> {
    const {flags} = await this.parse(Nodes);
    const result = await (await this.daemon(flags.autostart)).call('nodes.list', {});
    this.log(renderNodeTable(result.backend, result.nodes, {width: terminalWidth(), paint: this.paint}));
    return result;
  }
}
