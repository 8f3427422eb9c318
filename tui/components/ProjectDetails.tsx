import {Box, Text} from 'ink';
import type {ProjectSummary} from '../../src/protocol/index.js';
import {projectErrorLines} from '../../src/render/project-error.js';
import {Tone} from '../theme.js';
import {Line} from './Lines.js';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** A namespace: where it lives, what it declares, and why it failed to load if it did. */
export function ProjectDetails({project, width, height}: {project: ProjectSummary; width: number; height: number}) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Line width={width}>
        <Text dimColor>root </Text>
        {project.root}
      </Line>
      <Line width={width}>
        <Text dimColor>version </Text>
        {project.version ?? '–'}
        <Text dimColor> · status </Text>
        {project.status}
      </Line>
      <Line width={width}>{`${plural(project.tasks.length, 'task')} · ${plural(project.schedules.length, 'schedule')} · ${plural(project.services.length, 'service')}`}</Line>
      {project.description ? <Line width={width} dim>{project.description}</Line> : null}
      {project.error ? (
        <Box flexDirection="column" width={width}>
          {projectErrorLines(project).map((line, index) => (
            <Tone key={index} tone="red" wrap="wrap">
              {index === 0 ? 'error: ' : '       '}
              {line}
            </Tone>
          ))}
          {project.error.hint ? <Text dimColor wrap="wrap">hint: {project.error.hint}</Text> : null}
        </Box>
      ) : null}
      <Line width={width} dim>
        {'b shows the board of its runs'}
      </Line>
    </Box>
  );
}
