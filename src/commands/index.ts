import Action from './action.js';
import Answer from './answer.js';
import Audit from './audit.js';
import Cancel from './cancel.js';
import Complete from './complete.js';
import Completion from './completion.js';
import ConfigGet from './config/get.js';
import ConfigList from './config/list.js';
import ConfigSet from './config/set.js';
import ConfigUnset from './config/unset.js';
import DaemonInstall from './daemon/install.js';
import DaemonLogs from './daemon/logs.js';
import DaemonRestart from './daemon/restart.js';
import DaemonStart from './daemon/start.js';
import DaemonStatus from './daemon/status.js';
import DaemonStop from './daemon/stop.js';
import DaemonUninstall from './daemon/uninstall.js';
import Dashboard from './dashboard.js';
import Delete from './delete.js';
import Describe from './describe.js';
import HelpCommand from './help.js';
import Init from './init.js';
import List from './list.js';
import Logs from './logs.js';
import Nodes from './nodes.js';
import ProjectAdd from './project/add.js';
import ProjectList from './project/list.js';
import ProjectReload from './project/reload.js';
import ProjectRemove from './project/remove.js';
import Reload from './reload.js';
import Restart from './restart.js';
import Run from './run.js';
import Runs from './runs.js';
import ScheduleNext from './schedule/next.js';
import SchedulePause from './schedule/pause.js';
import ScheduleResume from './schedule/resume.js';
import ScheduleTrigger from './schedule/trigger.js';
import Scale from './scale.js';
import Schedules from './schedules.js';
import Services from './services.js';
import SessionClose from './session/close.js';
import SessionInterrupt from './session/interrupt.js';
import SessionList from './session/list.js';
import SessionNew from './session/new.js';
import SessionRepl from './session/repl.js';
import Exec from './exec.js';
import ServiceToken from './service/token.js';
import Show from './show.js';
import Signal from './signal.js';
import Start from './start.js';
import Stop from './stop.js';
import Up from './up.js';

// The explicit command table oclif loads from the bundle (package.json oclif.commands).
export const COMMANDS = {
  action: Action,
  answer: Answer,
  audit: Audit,
  cancel: Cancel,
  completion: Completion,
  'config:get': ConfigGet,
  'config:list': ConfigList,
  'config:set': ConfigSet,
  'config:unset': ConfigUnset,
  'daemon:install': DaemonInstall,
  'daemon:logs': DaemonLogs,
  'daemon:restart': DaemonRestart,
  'daemon:start': DaemonStart,
  'daemon:status': DaemonStatus,
  'daemon:stop': DaemonStop,
  'daemon:uninstall': DaemonUninstall,
  dashboard: Dashboard,
  delete: Delete,
  describe: Describe,
  exec: Exec,
  help: HelpCommand,
  init: Init,
  list: List,
  logs: Logs,
  nodes: Nodes,
  'project:add': ProjectAdd,
  'project:list': ProjectList,
  'project:reload': ProjectReload,
  'project:remove': ProjectRemove,
  reload: Reload,
  restart: Restart,
  run: Run,
  runs: Runs,
  scale: Scale,
  'schedule:next': ScheduleNext,
  'schedule:pause': SchedulePause,
  'schedule:resume': ScheduleResume,
  'schedule:trigger': ScheduleTrigger,
  schedules: Schedules,
  services: Services,
  'session:close': SessionClose,
  'session:interrupt': SessionInterrupt,
  'session:list': SessionList,
  'session:new': SessionNew,
  'session:repl': SessionRepl,
  'service:token': ServiceToken,
  show: Show,
  signal: Signal,
  start: Start,
  stop: Stop,
  up: Up,
  // The completion scripts' callback, hidden from help.
  __complete: Complete,
};
