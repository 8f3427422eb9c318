/** Runs attempts of tasks in pooled workers under hard limits, and finds the tasks a project declares. */
export {createExecutor, type ExecutorOptions, type TaskExecutor} from './executor.js';
export {discoverTasks, sharedDiscoveryWorkers, type Discovery, type DiscoveryOptions} from './discover.js';
export type {DiscoveryWorkers} from './discovery-workers.js';
export {ModuleSources, type ModuleSnapshot} from './module-sources.js';
export {DiscoveryCache} from './discovery-cache.js';
