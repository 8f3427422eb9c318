import type {ProjectSummary, ScheduleSummary, ServiceSummary} from '../../src/protocol/index.js';
import {compareStrings} from '../../src/lib/compare.js';
import {splitInstance} from '../../src/protocol/instances.js';

type Namespaced<T> = T & {namespace: string};

/**
 * A project's summary replaces the one of its directory. Under one namespace the one holding it
 * stays first (the daemon lists it first; one that loads is "ok" and so holds it): its
 * schedule and service updates, addressed by namespace, go to it.
 */
export function putProject(projects: ProjectSummary[], project: ProjectSummary): ProjectSummary[] {
  const index = projects.findIndex((known) => known.root === project.root);
  const next = index === -1 ? [...projects, project] : projects.with(index, project);
  return next.sort(byNamespace);
}

/** By namespace; under one, a project that loaded first (it holds the namespace), else as listed (a stable sort). */
function byNamespace(a: ProjectSummary, b: ProjectSummary): number {
  return compareStrings(a.namespace, b.namespace) || Number(b.status === 'ok') - Number(a.status === 'ok');
}

export function removeProject(projects: ProjectSummary[], root: string): ProjectSummary[] {
  return projects.filter((known) => known.root !== root);
}

export function putSchedule(projects: ProjectSummary[], schedule: Namespaced<ScheduleSummary>): ProjectSummary[] {
  return patch(projects, schedule.namespace, (project) => ({...project, schedules: replaceByName(project.schedules, schedule)}));
}

/** An instance's update also drops the rows of its service that its count says are gone (scaled away, or named for another count). */
export function putService(projects: ProjectSummary[], service: Namespaced<ServiceSummary>): ProjectSummary[] {
  return patch(projects, service.namespace, (project) => ({...project, services: putInstance(project.services, service)}));
}

/** Replaces the instance's row, or puts a new one among its service's rows in instance order. */
function putInstance(services: ServiceSummary[], update: ServiceSummary): ServiceSummary[] {
  const service = splitInstance(update.name).service;
  const ofService = (row: ServiceSummary) => splitInstance(row.name).service === service;
  const first = services.findIndex(ofService);
  const kept = services.filter((row) => !outgrown(row, update));
  const index = kept.findIndex((row) => row.name === update.name);
  if (index !== -1) return kept.with(index, update);
  const after = kept.findIndex((row) => ofService(row) && row.instance > update.instance);
  const last = kept.findLastIndex(ofService);
  const at = after !== -1 ? after : last !== -1 ? last + 1 : first !== -1 ? Math.min(first, kept.length) : kept.length;
  return kept.toSpliced(at, 0, update);
}

/** A row of the same service that `update`'s count says is gone: scaled away, or named for another count (`api` ↔ `api#0`). */
function outgrown(row: ServiceSummary, update: ServiceSummary): boolean {
  if (row.name === update.name || splitInstance(row.name).service !== splitInstance(update.name).service) return false;
  return row.instance >= update.instances || (row.instances === 1) !== (update.instances === 1);
}

/** project.list's nested items, replaced by the schedule.list / service.list answers when there are any. */
export function mergeLists(projects: ProjectSummary[], schedules: Namespaced<ScheduleSummary>[] | null, services: Namespaced<ServiceSummary>[] | null): ProjectSummary[] {
  const schedulesOf = schedules && groupBy(schedules);
  const servicesOf = services && groupBy(services);
  // project.list puts the directory holding a namespace first; a second one listed under it runs nothing.
  const holders = new Set<string>();
  return [...projects].sort(byNamespace).map((project) => {
    if (holders.has(project.namespace)) return project;
    holders.add(project.namespace);
    return {
      ...project,
      schedules: schedulesOf?.get(project.namespace) ?? (schedulesOf ? [] : project.schedules),
      services: servicesOf?.get(project.namespace) ?? (servicesOf ? [] : project.services),
    };
  });
}

function groupBy<T extends {namespace: string}>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.namespace);
    if (group) group.push(item);
    else groups.set(item.namespace, [item]);
  }
  return groups;
}

function patch(projects: ProjectSummary[], namespace: string, change: (project: ProjectSummary) => ProjectSummary): ProjectSummary[] {
  const index = projects.findIndex((project) => project.namespace === namespace);
  if (index === -1) return projects;
  const next = [...projects];
  next[index] = change(projects[index]!);
  return next;
}

function replaceByName<T extends {name: string}>(items: T[], item: T): T[] {
  const index = items.findIndex((known) => known.name === item.name);
  if (index === -1) return [...items, item];
  const next = [...items];
  next[index] = item;
  return next;
}
