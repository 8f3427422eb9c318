import {CapsuleError} from '../../src/lib/errors.js';
import {didYouMean} from '../../src/lib/suggest.js';
import {
  backoffRule,
  computeRule,
  concurrencyRule,
  isolationRule,
  maxRetriesRule,
  oneOfRule,
  ramRule,
  refused,
  scratchRule,
  timeoutRule,
  type Rule,
  type TaskDefaults,
} from '../../src/config/task-limits.js';
import {allowedFilesRule} from '../../src/config/sandbox-files.js';
import {allowedHostsRule} from '../../src/config/sandbox-hosts.js';
import type {SandboxPolicy} from '../../src/config/sandbox-policy.js';
import {DEFAULT_BACKOFF, type BackoffPolicy} from './backoff.js';
import type {AttemptLimits, AttemptRequest, DiscoveredTask, Isolation, TaskLocation} from './executor-api.js';
import {parseLockTemplate} from './lock-key.js';
import {taskEnvironment, type DeclaredEnv} from './task-env.js';

/** What a run does when its lock key is taken: wait its turn, or end at once as cancelled. */
export type LockMode = 'queue' | 'skip';

/** A task ready to run: every option checked and turned into numbers. */
export interface TaskSpec extends TaskLocation {
  name: string;
  isolation: Isolation;
  limits: AttemptLimits;
  maxRetries: number;
  backoff: BackoffPolicy;
  /** The whole environment the task sees. */
  env: Record<string, string>;
  /** Most runs of this task attempting at once; null for no cap beyond the daemon's. */
  concurrency: number | null;
  /** Lock key template such as "report:{id}"; null for none. */
  lock: string | null;
  lockMode: LockMode;
  /** What the sandbox lets the task reach: non-null exactly when `isolation` is "sandbox". */
  sandbox: SandboxPolicy | null;
}

/** The project a task is declared in: its namespace names it in errors, its root is what `allowedFiles` are relative to. */
export interface TaskProject {
  namespace: string;
  root: string;
}

// `schedule` is read by the scheduler (src/config/schedules.ts scheduleFromTask), not here.
const OPTION_NAMES = ['name', 'compute', 'ram', 'timeout', 'maxRetries', 'backoff', 'env', 'isolation', 'allowedFiles', 'allowedHosts', 'scratch', 'concurrency', 'lock', 'lockMode', 'schedule'];
/** Options that mean something only in a sandbox: given to another isolation, they would make its author believe it confined. */
const SANDBOX_OPTIONS = ['allowedFiles', 'allowedHosts', 'scratch'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks the options a task declared with `task()` and fills what it omits from the project's
 * defaults. Throws `config_invalid` naming the task, the option, what was expected and what was got.
 * `daemonEnv` supplies the variables a task declares by name.
 */
export function normaliseTask({namespace, root}: TaskProject, discovered: DiscoveredTask, defaults: TaskDefaults, daemonEnv: NodeJS.ProcessEnv): TaskSpec {
  const where = `task ${namespace}/${discovered.name}`;
  const options = discovered.options;
  for (const key of Object.keys(options)) {
    if (OPTION_NAMES.includes(key)) continue;
    const suggestion = didYouMean(key, OPTION_NAMES);
    throw new CapsuleError('config_invalid', `${where}: unknown option "${key}"`, {
      hint: suggestion ? `did you mean "${suggestion}"?` : `task() accepts ${OPTION_NAMES.join(', ')}`,
    });
  }
  const read = <T>(option: string, rule: Rule<T>, fallback: T): T => {
    const value = options[option];
    if (value === undefined) return fallback;
    const checked = rule(value);
    if (checked.ok) return checked.value;
    const named = checked.key === undefined ? option : typeof checked.key === 'number' ? `${option}[${checked.key}]` : `${option}.${checked.key}`;
    throw new CapsuleError('config_invalid', `${where}: option "${named}": ${checked.message}`, {
      hint: checked.hint ?? (checked.suggestion === null ? undefined : `did you mean ${JSON.stringify(checked.suggestion)}?`),
    });
  };
  const lock = read<string | null>('lock', lockRule, null);
  const lockMode = read<LockMode>('lockMode', lockModeRule, 'queue');
  if (options.lockMode !== undefined && lock === null) {
    throw new CapsuleError('config_invalid', `${where}: option "lockMode" has no effect without "lock"`, {hint: 'add a lock template such as "report:{id}", or remove lockMode'});
  }
  const isolation = read<Isolation>('isolation', isolationRule, defaults.isolation);
  const misplaced = SANDBOX_OPTIONS.find((option) => options[option] !== undefined);
  if (isolation !== 'sandbox' && misplaced !== undefined) {
    throw new CapsuleError('config_invalid', `${where}: option "${misplaced}" applies to isolation "sandbox" only, and this task's isolation is "${isolation}": it would not be confined`, {
      hint: `add isolation: "sandbox" to confine the task, or remove ${misplaced}`,
    });
  }
  const sandbox: SandboxPolicy | null =
    isolation === 'sandbox'
      ? {
          ...defaults.sandbox,
          files: read('allowedFiles', allowedFilesRule(root), defaults.sandbox.files),
          hosts: read('allowedHosts', allowedHostsRule, defaults.sandbox.hosts),
          scratchBytes: read('scratch', scratchRule, defaults.sandbox.scratchBytes),
        }
      : null;
  return {
    name: discovered.name,
    modulePath: discovered.modulePath,
    exportName: discovered.exportName,
    isolation,
    limits: {
      computeMs: read('compute', computeRule, defaults.computeMs),
      ramBytes: read('ram', ramRule, defaults.ramBytes),
      timeoutMs: read('timeout', timeoutRule, defaults.timeoutMs),
    },
    maxRetries: read('maxRetries', maxRetriesRule, defaults.maxRetries),
    backoff: {...DEFAULT_BACKOFF, ...read('backoff', backoffRule, {})},
    env: taskEnvironment(read('env', isolation === 'sandbox' ? sandboxEnvRule : envRule, []), daemonEnv),
    concurrency: read<number | null>('concurrency', concurrencyRule, null),
    lock,
    lockMode,
    sandbox,
  };
}

const lockModeRule = oneOfRule(['queue', 'skip']);

const lockRule: Rule<string> = (value) => {
  if (typeof value !== 'string') return refused('a key template such as "report:{id}"', value);
  try {
    parseLockTemplate(value);
  } catch (error) {
    if (error instanceof CapsuleError) return {ok: false, message: error.message, suggestion: null, hint: error.hint};
    throw error;
  }
  return {ok: true, value};
};

const ENV_NAME_EXPECTED = 'variable names such as "API_KEY"';

/** The daemon's own variables (CAPSULE_HOME and the rest) say where its files are: a sandbox never sees them. */
const sandboxEnvRule: Rule<DeclaredEnv> = (value) => {
  const checked = envRule(value);
  if (!checked.ok) return checked;
  const names = Array.isArray(checked.value) ? checked.value : Object.keys(checked.value);
  const own = names.find((name) => name.startsWith('CAPSULE_'));
  if (own === undefined) return checked;
  return {ok: false, message: `${own} is the daemon's own variable, and a sandboxed task never sees the daemon's variables of its own`, suggestion: null, hint: 'give the task what it needs under a name of its own, e.g. env: {DATA_DIR: "..."}'};
};

const envRule: Rule<DeclaredEnv> = (value) => {
  if (Array.isArray(value)) {
    const bad = value.find((name) => typeof name !== 'string' || !ENV_NAME.test(name));
    return bad === undefined ? {ok: true, value: value as string[]} : refused(ENV_NAME_EXPECTED, bad);
  }
  if (typeof value !== 'object' || value === null) return refused('a list of variable names or an object of name → value', value);
  for (const [name, text] of Object.entries(value)) {
    if (!ENV_NAME.test(name)) return refused(ENV_NAME_EXPECTED, name);
    if (typeof text !== 'string') return refused(`a string value for ${name}`, text);
  }
  return {ok: true, value: value as Record<string, string>};
};

/** One attempt of a run of `spec`, as the executor takes it: the task as loaded here (its module, limits, sandbox, environment), run in its project's directory. */
export function attemptRequest(spec: TaskSpec, root: string, run: Pick<AttemptRequest, 'runId' | 'namespace' | 'task' | 'attempt' | 'input' | 'memo'>): AttemptRequest {
  return {...run, isolation: spec.isolation, limits: spec.limits, sandbox: spec.sandbox, env: spec.env, cwd: root, modulePath: spec.modulePath, exportName: spec.exportName};
}
