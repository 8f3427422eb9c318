import ProjectAdd from './project/add.js';

/** `project add` under the name the quick start uses; a later issue makes it open the dashboard too. */
export default class Up extends ProjectAdd {
  static override summary = 'Start the daemon if needed, register a project and show it.';
  static override description = 'The quick start: `capsule up templates/basic` on a fresh clone.';
  static override examples = ['<%= config.bin %> up', '<%= config.bin %> up templates/basic'];
  static override args = ProjectAdd.args;
  static override flags = ProjectAdd.flags;
}
