export {COMPUTE_LEVELS, parseCompute, type ComputeLevel} from './compute.js';
export type {TaskDefaults} from './task-limits.js';
export {formatConfigIssues, type ConfigIssue} from './issues.js';
export {CONFIG_FILE_NAME, loadProjectConfig} from './load.js';
export {NAMESPACE_PATTERN} from './names.js';
export {parseProjectConfig} from './parse.js';
export type {ScheduleConfig} from './schedules.js';
export type {ProjectConfig} from './schema.js';
export type {ServiceConfig} from './services.js';
