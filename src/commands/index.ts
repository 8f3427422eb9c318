import DaemonLogs from './daemon/logs.js';
import DaemonRestart from './daemon/restart.js';
import DaemonStart from './daemon/start.js';
import DaemonStatus from './daemon/status.js';
import DaemonStop from './daemon/stop.js';
import Dashboard from './dashboard.js';
import HelpCommand from './help.js';
import Init from './init.js';
import List from './list.js';
import ProjectAdd from './project/add.js';
import ProjectList from './project/list.js';
import ProjectReload from './project/reload.js';
import ProjectRemove from './project/remove.js';
import Up from './up.js';

// The explicit command table oclif loads from the bundle (package.json oclif.commands).
export const COMMANDS = {
  'daemon:start': DaemonStart,
  'daemon:stop': DaemonStop,
  'daemon:restart': DaemonRestart,
  'daemon:status': DaemonStatus,
  'daemon:logs': DaemonLogs,
  'project:add': ProjectAdd,
  'project:list': ProjectList,
  'project:remove': ProjectRemove,
  'project:reload': ProjectReload,
  dashboard: Dashboard,
  list: List,
  help: HelpCommand,
  init: Init,
  up: Up,
};
