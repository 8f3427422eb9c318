import {Text} from 'ink';
import type {RunRecord} from '../../src/protocol/index.js';
import {runFacts} from '../format.js';
import {Tone} from '../theme.js';
import {Line, ScrollList} from './Lines.js';

/** Recent runs, newest first, one per line; `selected` marks the one the keys act on. */
export function RunRows({runs, selected, height, width, now}: {runs: RunRecord[]; selected: number | null; height: number; width: number; now: number}) {
  if (runs.length === 0) return <Line width={width} dim>{'  no runs yet (t runs the task)'}</Line>;
  return (
    <ScrollList
      items={runs}
      selected={selected}
      height={height}
      render={(run, _index, isSelected) => {
        const facts = runFacts(run, now);
        return (
          <Line key={run.id} width={width}>
            <Text inverse={isSelected}>
              {isSelected ? '›' : ' '}
              <Tone tone={facts.tone}>{facts.glyph}</Tone> {facts.text}
            </Text>
          </Line>
        );
      }}
    />
  );
}
