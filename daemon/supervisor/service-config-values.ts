/** `config list|get|set|unset` for one service: typed values, stored through the persistence, delivered live or by restart. */
import type {ConfigValue} from '../../src/config/services.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {coerceConfigValue, configEntry, declarationOf} from './config-values.js';
import type {ServiceUnit} from './service-unit.js';
import type {AuditKind, ConfigChange, ConfigDelivery, ConfigEntry, ConfigSetResult, SupervisorPersistence} from './types.js';

type Audit = (unit: ServiceUnit, kind: AuditKind, details: Record<string, unknown>, actor: string) => void;

export class ServiceConfigValues {
  constructor(
    private readonly persistence: SupervisorPersistence,
    private readonly audit: Audit,
    private readonly deliverLive?: (change: ConfigChange) => boolean | Promise<boolean>,
  ) {}

  list(unit: ServiceUnit): ConfigEntry[] {
    const stored = unit.definition.storedValues();
    return Object.entries(unit.config.config).map(([key, declaration]) => configEntry(key, declaration, stored));
  }

  get(unit: ServiceUnit, key: string): ConfigEntry {
    return configEntry(key, declarationOf(unit.definition.serviceTarget, unit.config.config, key), unit.definition.storedValues());
  }

  /**
   * `units`: the service's instances, which share its values; `actor` asked for it: the config
   * event and the restarts it may cause record it.
   */
  async set(units: readonly ServiceUnit[], key: string, input: ConfigValue, actor: string): Promise<ConfigSetResult> {
    const {serviceTarget: target} = units[0]!.definition;
    const declaration = declarationOf(target, units[0]!.config.config, key);
    const value = coerceConfigValue(target, key, declaration, input);
    return this.change(units, key, {...units[0]!.definition.storedValues(), [key]: value}, actor, {});
  }

  /** The operator's value goes: the declared default applies again (no value at all without one). */
  async unset(units: readonly ServiceUnit[], key: string, actor: string): Promise<ConfigSetResult> {
    const {definition, config} = units[0]!;
    const declaration = declarationOf(definition.serviceTarget, config.config, key);
    if (declaration.default === null && definition.refersTo(key)) {
      throw new CapsuleError('bad_input', `config ${key} of ${definition.serviceTarget} is required: it has no default, and the service refers to it as {config.${key}}`, {
        hint: `set another value with \`capsule config set ${definition.serviceTarget} ${key} VALUE\`, or declare a default in capsule.toml`,
      });
    }
    const stored = definition.storedValues();
    delete stored[key];
    // `unset` in the event tells a return to the default from a set that happens to give the same value.
    return this.change(units, key, stored, actor, {unset: true});
  }

  private async change(units: readonly ServiceUnit[], key: string, stored: Record<string, ConfigValue>, actor: string, extra: Record<string, unknown>): Promise<ConfigSetResult> {
    const unit = units[0]!;
    const {namespace, name} = unit.definition;
    const declaration = unit.config.config[key]!;
    const previous = configEntry(key, declaration, unit.definition.storedValues());
    const before = unit.definition.values()[key];
    await this.persistence.saveConfigValues(namespace, name, stored);
    for (const each of units) each.setStoredValues(stored);
    const entry = configEntry(key, declaration, stored);
    const value = unit.definition.values()[key] ?? null;
    const delivery = await this.deliver(units, key, value, before === (value ?? undefined));
    this.audit(unit, 'config', {key, from: previous.value, to: entry.value, delivery, ...extra}, actor);
    if (delivery === 'restart') await Promise.all(units.filter((each) => each.isUp()).map((each) => each.restart('config', actor)));
    return {entry, previous: previous.value, delivery};
  }

  /**
   * An embedded agent speaks for a service of one instance; several take a change by restart, and
   * so does a key the command, env or probe refers to: those are fixed when the process starts.
   */
  private async deliver(units: readonly ServiceUnit[], key: string, value: ConfigValue | null, unchanged: boolean): Promise<ConfigDelivery> {
    if (unchanged) return 'unchanged';
    if (!units.some((unit) => unit.isUp())) return 'stored';
    const {remote} = units[0]!.config;
    if (!remote && (units.length > 1 || units[0]!.definition.refersTo(key))) return 'restart';
    const {namespace, name} = units[0]!.definition;
    const delivered = await this.deliverLive?.({namespace, name, key, value, values: units[0]!.definition.values()});
    // A remote agent that did not take it gets it with its next registration: the daemon cannot restart what it does not run.
    return delivered ? 'live' : remote ? 'stored' : 'restart';
  }
}
