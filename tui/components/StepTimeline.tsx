import {Box, Text} from 'ink';
import type {StepRecord} from '../../src/protocol/index.js';
import {stepFacts} from '../format.js';
import {Tone} from '../theme.js';
import {Line} from './Lines.js';

/** Lines the timeline takes for `steps`: a title and a line per step, at most `max`; none without steps. */
export function timelineHeight(steps: StepRecord[] | null, max: number): number {
  return steps === null || steps.length === 0 ? 0 : Math.min(steps.length + 1, Math.max(0, max));
}

/**
 * A run's durable steps in the order they were called, the latest last: what is shown when the
 * list is too long for `height`, since what waits or ran last is what one looks for.
 */
export function StepTimeline({runId, steps, width, height, now}: {runId: string; steps: StepRecord[]; width: number; height: number; now: number}) {
  if (height < 2) return null;
  const shown = steps.slice(-(height - 1));
  const waiting = steps.some((step) => step.kind === 'prompt' && step.status === 'waiting');
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Line width={width} dim>
        {`Steps of ${runId}${shown.length < steps.length ? ` (last ${shown.length} of ${steps.length})` : ''}${waiting ? ' · a answers its question' : ''}`}
      </Line>
      {shown.map((step) => {
        const facts = stepFacts(step, now);
        return (
          <Line key={step.key} width={width}>
            <Text>
              {' '}
              <Tone tone={facts.tone}>{facts.glyph}</Tone> {facts.text}
            </Text>
          </Line>
        );
      })}
    </Box>
  );
}
