import type {ProjectSummary, ScheduleSummary, ServiceSummary} from '../../src/protocol/index.js';
import {compareStrings} from '../../src/lib/compare.js';

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

export function putService(projects: ProjectSummary[], service: Namespaced<ServiceSummary>): ProjectSummary[] {
  return patch(projects, service.namespace, (project) => ({...project, services: replaceByName(project.services, service)}));
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
