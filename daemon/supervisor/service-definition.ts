/** What a service is, as opposed to how it is running: its definition, root and config values. */
import type {ConfigValue, HealthConfig, ServiceConfig} from '../../src/config/services.js';
import {missingReferences, referencedConfigKeys, resolveReferences} from '../../src/config/config-refs.js';
import {INSTANCE_ENVIRONMENT, instanceName} from '../../src/protocol/instances.js';
import {effectiveValues, secretValues} from './config-values.js';
import {definitionFingerprint, processFingerprint} from './fingerprint.js';
import {instanceHealth} from './instance-probe.js';
import {commandArgv, runByShell, serviceCwd, serviceEnvironment} from './service-env.js';

export class ServiceDefinition {
  /** How many instances the service runs now: with one, instance 0 is shown as the bare name. */
  instances = 1;

  constructor(
    readonly namespace: string,
    /** The declared service's name: config values belong to it, whatever the instance. */
    readonly name: string,
    private current: {config: ServiceConfig; root: string},
    private stored: Record<string, ConfigValue>,
    /** Extra environment from the daemon, such as the agent's socket. */
    private readonly extraEnvironment: () => Record<string, string>,
    /** 0 … instances-1, in CAPSULE_INSTANCE. */
    readonly instance = 0,
  ) {}

  /** The instance as shown and addressed: `api`, or `api#2` while the service has several. */
  get label(): string {
    return instanceName(this.name, this.instance, this.instances);
  }

  get target(): string {
    return `${this.namespace}/${this.label}`;
  }

  /** The service, whichever instance: what its configuration belongs to. */
  get serviceTarget(): string {
    return `${this.namespace}/${this.name}`;
  }

  /**
   * Names what is kept per instance (its log file, process record, an operator's stop) whatever
   * the count: instance 0 keeps the service's own name, so scaling never moves it.
   */
  get key(): string {
    return instanceKey(this.name, this.instance);
  }

  /** `port` + the instance number, or null without a `port`. */
  get port(): number | null {
    return this.config.port === null ? null : this.config.port + this.instance;
  }

  /** The probe as this instance runs it: `{port}`, `{instance}` and `{config.KEY}` filled in. */
  get health(): HealthConfig | null {
    return instanceHealth(this.resolved.health, this.instance, this.port);
  }

  /** The declaration with `{config.KEY}` filled in from the values of now: read at each start and probe. */
  get resolved(): ServiceConfig {
    return resolveReferences(this.config, this.values());
  }

  /** Referenced keys without a value: the service cannot start until they are set. */
  missingConfig(): string[] {
    return missingReferences(this.config, this.values());
  }

  /** Whether the command, cwd, env or probe refers to `key`: a change of it needs a new process. */
  refersTo(key: string): boolean {
    return referencedConfigKeys(this.config).has(key);
  }

  get config(): ServiceConfig {
    return this.current.config;
  }

  get root(): string {
    return this.current.root;
  }

  get fingerprint(): string {
    return definitionFingerprint(this.root, this.config);
  }

  /** What a process of this definition is started from (see fingerprint.ts): kept in its record. */
  get processFingerprint(): string {
    return processFingerprint(this.root, this.config);
  }

  get argv(): string[] {
    return commandArgv(this.resolved.command);
  }

  /** A string command: `/bin/sh -c` is what is spawned, and it reports a missing program by its exit status. */
  get runByShell(): boolean {
    return runByShell(this.config.command);
  }

  get cwd(): string {
    return serviceCwd(this.root, this.resolved);
  }

  replace(config: ServiceConfig, root: string): void {
    this.current = {config, root};
  }

  /** Stored values with defaults, unmasked. */
  values(): Record<string, ConfigValue> {
    return effectiveValues(this.config.config, this.stored);
  }

  storedValues(): Record<string, ConfigValue> {
    return {...this.stored};
  }

  setStoredValues(stored: Record<string, ConfigValue>): void {
    this.stored = stored;
  }

  /** Secret values to mask wherever output or events could show them. */
  secrets(): string[] {
    return secretValues(this.config.config, this.values());
  }

  /** The environment a start, an exec probe or an action gets; rejects on an unreadable env_file. */
  environment(): Promise<Record<string, string>> {
    const instance: Record<string, string> = {[INSTANCE_ENVIRONMENT]: String(this.instance)};
    if (this.port !== null) instance['PORT'] = String(this.port);
    return serviceEnvironment({namespace: this.namespace, name: this.name, root: this.root, config: this.resolved, values: this.values(), extra: {...this.extraEnvironment(), ...instance}});
  }
}

/** What ServiceDefinition.key is for instance `instance` of service `name`. */
export function instanceKey(name: string, instance: number): string {
  return instance === 0 ? name : `${name}#${instance}`;
}
