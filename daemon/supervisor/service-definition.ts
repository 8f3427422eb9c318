/** What a service is, as opposed to how it is running: its definition, root and config values. */
import type {ConfigValue, ServiceConfig} from '../../src/config/services.js';
import {effectiveValues, secretValues} from './config-values.js';
import {definitionFingerprint, processFingerprint} from './fingerprint.js';
import {commandArgv, runByShell, serviceCwd, serviceEnvironment} from './service-env.js';

export class ServiceDefinition {
  constructor(
    readonly namespace: string,
    readonly name: string,
    private current: {config: ServiceConfig; root: string},
    private stored: Record<string, ConfigValue>,
    /** Extra environment from the daemon, such as the agent's socket. */
    private readonly extraEnvironment: () => Record<string, string>,
  ) {}

  get target(): string {
    return `${this.namespace}/${this.name}`;
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
    return commandArgv(this.config.command);
  }

  /** A string command: `/bin/sh -c` is what is spawned, and it reports a missing program by its exit status. */
  get runByShell(): boolean {
    return runByShell(this.config.command);
  }

  get cwd(): string {
    return serviceCwd(this.root, this.config);
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
    return serviceEnvironment({namespace: this.namespace, name: this.name, root: this.root, config: this.config, values: this.values(), extra: this.extraEnvironment()});
  }
}
