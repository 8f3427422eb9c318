import {controlCommand} from '../cli/control-command.js';

export default controlCommand('stop', 'Stop a service, pause a schedule, or cancel a run.', ['reports/api', 'reports/nightly', 'run_01HZX3', 'reports']);
