import type {ProjectSummary} from '../protocol/index.js';
import {describeSchedule, describeService, describeTask, type ItemLine} from './items.js';
import {projectMark} from './project-error.js';
import {truncate, type Paint, type StyleName} from './style.js';

export interface TreeNode {
  label: string;
  glyph: string;
  tone: StyleName | null;
  /** Short facts shown after the label, dropped from the end when the line is too wide. */
  facts: string[];
  children: TreeNode[];
}

/** namespace → tasks / schedules / services, in that order; empty groups are left out. */
export function buildTree(projects: ProjectSummary[]): TreeNode[] {
  return projects.map((project) => {
    const {glyph, tone, fact} = projectMark(project);
    // The error goes first: facts are dropped from the end when the line is too wide.
    const node: TreeNode = {label: project.namespace, glyph, tone, facts: fact === null ? [project.root] : [fact, project.root], children: []};
    const groups: [string, ItemLine[]][] = [
      ['tasks', project.tasks.map((task) => describeTask(task))],
      ['schedules', project.schedules.map((schedule) => describeSchedule(schedule))],
      ['services', project.services.map((service) => describeService(service))],
    ];
    for (const [label, items] of groups) {
      if (items.length === 0) continue;
      node.children.push({label, glyph: '', tone: 'dim' as StyleName, facts: [String(items.length)], children: items.map((item) => ({...item, children: []}))});
    }
    return node;
  });
}

/** Box-drawing tree, one line per node, each cut to `width` columns. */
export function renderTree(nodes: TreeNode[], options: {width: number; paint: Paint}): string {
  const lines: string[] = [];
  const walk = (node: TreeNode, prefix: string, connector: string, childPrefix: string) => {
    lines.push(renderLine(node, prefix + connector, options));
    node.children.forEach((child, index) => {
      const last = index === node.children.length - 1;
      walk(child, prefix + childPrefix, last ? '└─ ' : '├─ ', last ? '   ' : '│  ');
    });
  };
  for (const node of nodes) walk(node, '', '', '');
  return lines.join('\n');
}

function renderLine(node: TreeNode, lead: string, {width, paint}: {width: number; paint: Paint}): string {
  const head = `${lead}${node.glyph ? `${node.glyph} ` : ''}${node.label}`;
  const allFacts = node.facts.length === 0 ? '' : `  ${node.facts.join(' · ')}`;
  // Most lines fit (every one, when piped): they are painted from their parts, without the
  // fitting and slicing below, much of a 500-project tree's time.
  if (head.length + allFacts.length <= width) return paintLine(node, lead, node.glyph, node.label, allFacts, paint);
  const facts = [...node.facts];
  let line = head + allFacts;
  while (facts.length > 1 && line.length > width) {
    facts.pop();
    line = joinFacts(head, facts);
  }
  line = truncate(line, width);
  const glyphAt = lead.length;
  const glyph = node.glyph ? line.slice(glyphAt, glyphAt + node.glyph.length) : '';
  const labelStart = glyphAt + (node.glyph ? node.glyph.length + 1 : 0);
  const label = line.slice(labelStart, labelStart + node.label.length);
  return paintLine(node, lead, glyph, label, line.slice(labelStart + label.length), paint);
}

/** Colour is applied after fitting so escape codes never count against the width. */
function paintLine(node: TreeNode, lead: string, glyph: string, label: string, rest: string, paint: Paint): string {
  const tinted = node.tone ? paint(node.tone, glyph) : glyph;
  return `${paint('dim', lead)}${tinted}${node.glyph ? ' ' : ''}${node.glyph ? paint('bold', label) : paint('dim', label)}${paint('dim', rest)}`;
}

function joinFacts(head: string, facts: string[]): string {
  return facts.length === 0 ? head : `${head}  ${facts.join(' · ')}`;
}

