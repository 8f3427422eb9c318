import {mkdir, rm} from 'node:fs/promises';
import {join} from 'node:path';
import {ADHOC_NAMESPACE, readAdhocFile, renderAdhocFile, sameAdhocService, type AdhocService} from '../../src/config/adhoc-file.js';
import {CONFIG_FILE_NAME} from '../../src/config/file-name.js';
import {NAMESPACE_PATTERN} from '../../src/config/names.js';
import {CapsuleError, alreadyDone, badInput, notFound} from '../../src/lib/errors.js';
import {nearestName} from '../../src/lib/suggest.js';
import type {ProjectService, ProjectSummary} from '../../src/protocol/index.js';
import {splitInstance} from '../../src/protocol/instances.js';
import {PrivateDataFile} from '../core/private-file.js';
import {SerialQueue} from '../core/serial-queue.js';
import type {ServicesPlugin} from '../plugins/services.js';
import type {ProjectRegistry} from '../projects/registry.js';

/**
 * The project of ad-hoc services, a real directory in CAPSULE_HOME registered like any other so
 * that listing, logs, restarts and persistence need nothing of their own. The daemon is the one
 * writer of its capsule.toml; edits go one at a time, each reading the file the last one wrote.
 */
export class AdhocProject {
  readonly dir: string;
  readonly file: string;
  private readonly queue = new SerialQueue();
  /** Read whole and written whole, aside and renamed over, durably: the watcher and a crash never see half a file. */
  private readonly text: PrivateDataFile<string>;

  constructor(
    home: string,
    private readonly projects: ProjectRegistry,
    private readonly services: ServicesPlugin,
  ) {
    this.dir = join(home, ADHOC_NAMESPACE);
    this.file = join(this.dir, CONFIG_FILE_NAME);
    this.text = new PrivateDataFile(this.file, {parse: (text) => text, stringify: (text) => text});
  }

  create(name: string, service: AdhocService, actor: string): Promise<{created: boolean; services: ProjectService[]}> {
    if (!NAMESPACE_PATTERN.test(name)) throw badInput(`--name ${JSON.stringify(name)} is not a service name`, 'use lowercase letters, digits, "_" and "-", starting with a letter or digit, like --name web');
    return this.queue.run(async () => {
      const before = await this.text.read();
      const current = this.parse(before);
      const existing = current[name];
      if (existing && !sameAdhocService(existing, service)) {
        throw alreadyDone(`${ADHOC_NAMESPACE}/${name} already exists with another command or options`, `restart it with \`capsule restart ${ADHOC_NAMESPACE}/${name}\`, or \`capsule delete ${name}\` first to replace it`);
      }
      if (existing) {
        await this.loadProject();
        const units = this.servicesNamed(name);
        if (units.every((unit) => unit.pid !== null)) {
          throw alreadyDone(`${ADHOC_NAMESPACE}/${name} is already running (pid ${units.map((unit) => unit.pid).join(', ')})`, `restart it with \`capsule restart ${ADHOC_NAMESPACE}/${name}\``);
        }
        await this.services.supervisor.start(ADHOC_NAMESPACE, name, actor);
        return {created: false, services: this.servicesNamed(name)};
      }
      await this.write({...current, [name]: service});
      const summary = await this.loadProject();
      if (summary.status === 'error') {
        // The file stays as it was: the one bad service must not keep the others from loading.
        if (before === null) await rm(this.file, {force: true});
        else await this.text.write(before);
        await this.loadProject();
        throw new CapsuleError('bad_input', `${ADHOC_NAMESPACE}/${name} was not created: ${summary.error?.message ?? 'the service did not load'}`, {hint: 'check the flags given to `capsule start --name`'});
      }
      // A name deleted while an operator had it stopped is remembered as stopped: a new service of that name starts all the same.
      if (this.servicesNamed(name).every((unit) => unit.pid === null && unit.state === 'stopped')) await this.services.supervisor.start(ADHOC_NAMESPACE, name, actor).catch(() => undefined);
      return {created: true, services: this.servicesNamed(name)};
    });
  }

  delete(namespace: string, name: string): Promise<{namespace: string; name: string; file: string}> {
    return this.queue.run(async () => {
      if (namespace !== ADHOC_NAMESPACE) throw this.declaredElsewhere(namespace, name) ?? notFound(`${namespace}/${name} is not an ad-hoc service`, 'only services started with `capsule start --name` are deleted; see `capsule services adhoc`');
      const current = this.parse(await this.text.read());
      if (!current[name]) {
        const elsewhere = this.projects.list().find((project) => project.namespace !== ADHOC_NAMESPACE && this.services.has(project.namespace, name));
        if (elsewhere) throw this.declaredElsewhere(elsewhere.namespace, name)!;
        const suggestion = nearestName(name, Object.keys(current));
        throw notFound(`no ad-hoc service named "${name}"`, suggestion ? `did you mean "${suggestion}"?` : 'see `capsule services adhoc` for the ad-hoc services');
      }
      const rest = {...current};
      delete rest[name];
      await this.write(rest);
      await this.loadProject();
      return {namespace, name, file: this.file};
    });
  }

  /** A service of a user's own project is theirs to remove, from the file that declares it. */
  private declaredElsewhere(namespace: string, name: string): CapsuleError | null {
    const [project] = this.projects.list(namespace);
    if (!project || !this.services.has(namespace, name)) return null;
    const file = join(project.root, CONFIG_FILE_NAME);
    return badInput(`${namespace}/${name} is declared in ${file}, not started with \`capsule start --name\``, `remove its [services.${name}] table from ${file} to delete it, or stop it with \`capsule stop ${namespace}/${name}\``);
  }

  private servicesNamed(name: string): ProjectService[] {
    return this.services.list(ADHOC_NAMESPACE).filter((unit) => splitInstance(unit.name).service === name);
  }

  private async loadProject(): Promise<ProjectSummary> {
    const registered = this.projects.list().some((project) => project.root === this.dir);
    return registered ? this.projects.reload({root: this.dir}) : this.projects.add(this.dir);
  }

  private parse(text: string | null): Record<string, AdhocService> {
    if (text === null) return {};
    const {services, unreadable} = readAdhocFile(text);
    if (unreadable.length > 0) {
      throw new CapsuleError('bad_input', `${this.file} has services capsule cannot rewrite: ${unreadable.join(', ')}`, {hint: 'that file is written by `capsule start --name`; put hand-written services in a project of your own, and remove them from it'});
    }
    return services;
  }

  private async write(services: Record<string, AdhocService>): Promise<void> {
    await mkdir(this.dir, {recursive: true});
    await this.text.write(renderAdhocFile(services));
  }
}
