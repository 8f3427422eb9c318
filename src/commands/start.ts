import {controlCommand} from '../cli/control-command.js';

export default controlCommand('start', 'Start a service or resume a paused schedule.', ['reports/api', 'reports/nightly', 'reports']);
