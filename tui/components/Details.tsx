import {Box} from 'ink';
import type {RunRecord, StepRecord} from '../../src/protocol/index.js';
import type {SelectionData} from '../hooks/useSelectionData.js';
import type {SelectedItem} from '../state/item.js';
import {Line} from './Lines.js';
import {PaneTitle} from './PaneTitle.js';
import {NodeDetails, NodesDetails, RemoteServiceDetails} from './NodeDetails.js';
import {ProjectDetails} from './ProjectDetails.js';
import {ScheduleDetails} from './ScheduleDetails.js';
import {ServiceDetails} from './ServiceDetails.js';
import {SessionDetails, SessionsDetails} from './SessionDetails.js';
import {StepTimeline, timelineHeight} from './StepTimeline.js';
import {TaskDetails} from './TaskDetails.js';

export interface DetailsProps {
  item: SelectedItem | null;
  extra: SelectionData;
  /** The run picked in a task's or schedule's details, whose steps show under them. */
  run: RunRecord | null;
  steps: StepRecord[] | null;
  focused: boolean;
  /** The picked run or config value while focused. */
  detailIndex: number;
  width: number;
  height: number;
  now: number;
}

const TITLES = {project: 'Project', task: 'Task', schedule: 'Schedule', service: 'Service', remote: 'Service', node: 'Node', nodes: 'Nodes', session: 'Session', sessions: 'Sessions'} as const;

/** The right pane: everything about the selected namespace, task, schedule, service, node or code session. */
export function Details({item, extra, run, steps, focused, detailIndex, width, height, now}: DetailsProps) {
  const timeline = run === null ? 0 : timelineHeight(steps, Math.floor((height - 1) / 2));
  const body = height - 1 - timeline;
  const selected = focused ? detailIndex : null;
  const name = item === null ? '' : itemName(item);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <PaneTitle title={item ? `${TITLES[item.kind]} ${name}` : 'Details'} focused={focused} width={width} />
      {item === null ? <Line width={width} dim>{' nothing selected'}</Line> : null}
      {item?.kind === 'project' ? <ProjectDetails project={item.project} width={width} height={body} /> : null}
      {item?.kind === 'task' ? <TaskDetails namespace={item.namespace} task={item.task} runs={extra.runs} selected={selected} width={width} height={body} now={now} /> : null}
      {item?.kind === 'schedule' ? (
        <ScheduleDetails namespace={item.namespace} schedule={item.schedule} next={extra.next.value} nextError={extra.next.error} runs={extra.runs} selected={selected} width={width} height={body} now={now} />
      ) : null}
      {run !== null && timeline > 0 ? <StepTimeline runId={run.id} steps={steps!} width={width} height={timeline} now={now} /> : null}
      {item?.kind === 'session' ? <SessionDetails session={item.session} width={width} height={body} now={now} /> : null}
      {item?.kind === 'sessions' ? <SessionsDetails sessions={item.sessions} width={width} height={body} /> : null}
      {item?.kind === 'nodes' ? <NodesDetails nodes={item.nodes} width={width} height={body} now={now} /> : null}
      {item?.kind === 'node' ? <NodeDetails node={item.node} services={item.services} width={width} height={body} now={now} /> : null}
      {item?.kind === 'remote' ? <RemoteServiceDetails service={item.service} node={item.node} width={width} height={body} now={now} /> : null}
      {item?.kind === 'service' ? <ServiceDetails service={item.service} config={extra.config.value} configError={extra.config.error} selected={selected} width={width} height={body} now={now} /> : null}
    </Box>
  );
}

function itemName(item: SelectedItem): string {
  switch (item.kind) {
    case 'project':
      return item.namespace;
    case 'task':
      return `${item.namespace}/${item.task.name}`;
    case 'schedule':
      return `${item.namespace}/${item.schedule.name}`;
    case 'service':
      return `${item.namespace}/${item.service.name}`;
    case 'nodes':
      return `(${item.nodes.length})`;
    case 'node':
      return item.node.name;
    case 'remote':
      return `${item.service.namespace}/${item.service.name}@${item.service.node}`;
    case 'session':
      return item.session.id;
    case 'sessions':
      return `(${item.sessions.length})`;
  }
}
