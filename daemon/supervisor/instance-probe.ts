/** A service's probe as one of its instances runs it: `{port}` and `{instance}` filled in (pure). */
import {INSTANCE_PLACEHOLDER, PORT_PLACEHOLDER, type HealthConfig, type HealthProbe} from '../../src/config/services.js';

export function instanceHealth(health: HealthConfig | null, instance: number, port: number | null): HealthConfig | null {
  if (health === null) return null;
  return {...health, probe: instanceProbe(health.probe, instance, port)};
}

function instanceProbe(probe: HealthProbe, instance: number, port: number | null): HealthProbe {
  // The config refuses `{port}` without a `port`; an unfilled one would only fail the probe, visibly.
  const fill = (text: string) => text.replaceAll(INSTANCE_PLACEHOLDER, String(instance)).replaceAll(PORT_PLACEHOLDER, port === null ? PORT_PLACEHOLDER : String(port));
  switch (probe.kind) {
    case 'http':
      return {...probe, url: fill(probe.url)};
    case 'tcp':
      return {...probe, port: probe.port ?? port};
    case 'exec':
      return {...probe, argv: probe.argv.map(fill)};
    case 'heartbeat':
      return probe;
  }
}
