import {join} from 'node:path';
import {ADHOC_NAMESPACE} from '../../src/config/adhoc-file.js';
import {CONFIG_FILE_NAME} from '../../src/config/file-name.js';
import type {HealthProbe} from '../../src/config/services.js';
import {splitInstance} from '../../src/protocol/instances.js';
import type {ServiceDescription} from '../../src/protocol/index.js';
import type {AdhocProject} from '../adhoc/adhoc-project.js';
import type {AuditLog} from '../core/audit-log.js';
import type {HandlerTable} from '../core/router.js';
import type {ServicesPlugin} from '../plugins/services.js';
import type {ProjectRegistry} from '../projects/registry.js';
import {serviceCwd} from '../supervisor/service-env.js';

/** `capsule start --name … -- CMD`, `capsule delete NAME` and the service part of `capsule describe`. */
export function adhocHandlers(parts: {adhoc: AdhocProject; services: ServicesPlugin; projects: ProjectRegistry; audit: AuditLog}): Pick<HandlerTable, 'service.create' | 'service.delete' | 'service.describe'> {
  const {adhoc, services, projects, audit} = parts;
  return {
    'service.create': async ({name, command, cwd, env, restart, health}, call) => {
      const result = await adhoc.create(name, {command, cwd, env, restart, health}, call.actor);
      // Env values may be secrets: the audit names the keys only.
      audit.record({actor: call.actor, kind: result.created ? 'service.create' : 'service.start', target: `${ADHOC_NAMESPACE}/${name}`, details: {command, cwd, env: Object.keys(env), restart, health}});
      return {...result, file: adhoc.file};
    },
    'service.delete': async ({namespace, name}, call) => {
      const removed = await adhoc.delete(namespace, name);
      audit.record({actor: call.actor, kind: 'service.delete', target: `${namespace}/${name}`, details: {}});
      return removed;
    },
    'service.describe': ({namespace, name}) => {
      const [project] = projects.list(namespace);
      const service = splitInstance(name).service;
      const config = services.declaration(namespace, service);
      const instances = services.list(namespace).filter((unit) => splitInstance(unit.name).service === service);
      const description: ServiceDescription = {
        namespace,
        name: service,
        file: join(project!.root, CONFIG_FILE_NAME),
        instances,
        command: config.command,
        cwd: serviceCwd(project!.root, config),
        envKeys: Object.keys(config.env).sort(),
        envFile: config.envFile,
        restart: config.restart,
        maxRestarts: config.maxRestarts,
        restartWindowMs: config.restartWindowMs,
        stopSignal: config.stopSignal,
        stopTimeoutMs: config.stopTimeoutMs,
        health: config.health && {probe: probeText(config.health.probe), intervalMs: config.health.intervalMs, timeoutMs: config.health.timeoutMs, failureThreshold: config.health.failureThreshold},
        dependsOn: config.dependsOn,
        port: config.port,
        maxMemoryBytes: config.maxMemoryBytes,
        config: services.supervisor.configList(namespace, service),
        logFiles: instances.map((unit) => services.supervisor.logFile(namespace, service, unit.instance)),
        adhoc: namespace === ADHOC_NAMESPACE && project!.root === adhoc.dir,
      };
      return description;
    },
  };
}

function probeText(probe: HealthProbe): string {
  switch (probe.kind) {
    case 'http':
      return `http ${probe.url}${probe.expectStatus === null ? '' : ` (expects ${probe.expectStatus})`}`;
    case 'tcp':
      return `tcp ${probe.host}:${probe.port ?? '{port}'}`;
    case 'exec':
      return `exec ${probe.argv.join(' ')}`;
    case 'heartbeat':
      return 'heartbeat (from the embedded agent)';
  }
}
