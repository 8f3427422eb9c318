import {Box, Text} from 'ink';
import type {NodeInfo, ProjectService} from '../../src/protocol/index.js';
import {describeService, relativeTime} from '../../src/render/items.js';
import {Tone} from '../theme.js';
import {Line} from './Lines.js';

const STATE_TONE = {up: 'green', lost: 'red'} as const;

/** One line on a node: its state, what it runs out of what it can, its load, and when it was last heard of. */
function NodeLine({node, width, now}: {node: NodeInfo; width: number; now: number}) {
  return (
    <Line width={width}>
      <Tone tone={STATE_TONE[node.state]}>⬡</Tone> {node.name} {node.state}
      <Text dimColor> · running </Text>
      {`${node.running}/${node.capacity}`}
      <Text dimColor> · load </Text>
      {`${node.load.toFixed(2)}/${node.cores}`}
      <Text dimColor> · heard of </Text>
      {relativeTime(node.heartbeatAt, now)}
    </Line>
  );
}

/** Another node: its facts, its process, and its services. */
export function NodeDetails({node, services, width, height, now}: {node: NodeInfo; services: ProjectService[]; width: number; height: number; now: number}) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      <NodeLine node={node} width={width} now={now} />
      <Line width={width}>
        <Text dimColor>version </Text>
        {node.version}
        <Text dimColor> · pid </Text>
        {node.pid}
        <Text dimColor> on </Text>
        {node.host}
        <Text dimColor> · up since </Text>
        {relativeTime(node.startedAt, now)}
      </Line>
      <Line width={width}>{`${services.length} service${services.length === 1 ? '' : 's'}`}</Line>
      <Line width={width} dim>
        {'`capsule nodes` lists them all · select one of its services to restart, stop or start it there'}
      </Line>
    </Box>
  );
}

/** The nodes heading: how many are up and lost. */
export function NodesDetails({nodes, width, height, now}: {nodes: readonly NodeInfo[]; width: number; height: number; now: number}) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Line width={width}>{`${nodes.filter((node) => node.state === 'up').length} other nodes up · ${nodes.filter((node) => node.state === 'lost').length} lost`}</Line>
      {nodes.slice(0, Math.max(0, height - 2)).map((node) => (
        <NodeLine key={node.name} node={node} width={width} now={now} />
      ))}
    </Box>
  );
}

/** Another node's service, as that node last wrote it to the backend; what can be done to it from here. */
export function RemoteServiceDetails({service, node, width, height, now}: {service: ProjectService & {node: string}; node: NodeInfo | undefined; width: number; height: number; now: number}) {
  const line = describeService(service);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Line width={width}>
        <Tone tone={line.tone}>{line.glyph}</Tone> {line.facts.join(' · ')}
      </Line>
      {node ? <NodeLine node={node} width={width} now={now} /> : null}
      <Line width={width} dim>
        {`r restarts it on ${service.node} · s stops or starts it there · its logs are on ${service.node}: \`capsule logs ${service.namespace}/${service.name}\` there`}
      </Line>
    </Box>
  );
}
