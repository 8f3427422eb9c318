/** `config list|get|set` for one service: typed values, stored through the persistence, delivered live or by restart. */
import type {ConfigValue} from '../../src/config/services.js';
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
    const unit = units[0]!;
    const {namespace, name, serviceTarget: target} = unit.definition;
    const declaration = declarationOf(target, unit.config.config, key);
    const value = coerceConfigValue(target, key, declaration, input);
    const before = unit.definition.storedValues();
    const previous = configEntry(key, declaration, before);
    const unchanged = unit.definition.values()[key] === value;
    const stored = {...before, [key]: value};
    await this.persistence.saveConfigValues(namespace, name, stored);
    for (const each of units) each.setStoredValues(stored);
    const entry = configEntry(key, declaration, stored);
    const delivery = await this.deliver(units, key, value, unchanged);
    this.audit(unit, 'config', {key, from: previous.value, to: entry.value, delivery}, actor);
    if (delivery === 'restart') await Promise.all(units.filter((each) => each.isUp()).map((each) => each.restart('config', actor)));
    return {entry, previous: previous.value, delivery};
  }

  /** An embedded agent speaks for a service of one instance; several take a change by restart. */
  private async deliver(units: readonly ServiceUnit[], key: string, value: ConfigValue, unchanged: boolean): Promise<ConfigDelivery> {
    if (unchanged) return 'unchanged';
    if (!units.some((unit) => unit.isUp())) return 'stored';
    if (units.length > 1) return 'restart';
    const {namespace, name} = units[0]!.definition;
    const delivered = await this.deliverLive?.({namespace, name, key, value, values: units[0]!.definition.values()});
    return delivered ? 'live' : 'restart';
  }
}
