import {controlCommand} from '../cli/control-command.js';

export default controlCommand('restart', 'Restart a service, trigger a schedule now, or re-run a run with the same input.', ['reports/api', 'reports/nightly', 'run_01HZX3', 'reports']);
