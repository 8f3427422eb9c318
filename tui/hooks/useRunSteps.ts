import {useEffect, useState} from 'react';
import type {StepRecord} from '../../src/protocol/index.js';
import type {DashboardClient} from '../client.js';
import {FLUSH_INTERVAL_MS} from './useEvents.js';

/**
 * The durable steps of one run (the picked card or detail row): read with `run.steps` when the
 * run is picked, then kept current from its `run.step` events, drawn at most once per
 * FLUSH_INTERVAL_MS however fast its steps end. null while loading, or with no run picked.
 */
export function useRunSteps(client: DashboardClient | null, runId: string | null): StepRecord[] | null {
  const [state, setState] = useState<{runId: string | null; steps: StepRecord[] | null}>({runId: null, steps: null});
  useEffect(() => {
    if (!client || runId === null) return;
    let active = true;
    // Events that came before the list are applied over it, in order: the newest state wins.
    let steps: StepRecord[] | null = null;
    const early: StepRecord[] = [];
    let timer: NodeJS.Timeout | undefined;
    const show = () => {
      timer = undefined;
      if (active) setState({runId, steps});
    };
    const stopListening = client.onEvent((event, data) => {
      if (event !== 'run.step' || data.runId !== runId) return;
      if (steps === null) return void early.push(data);
      steps = putStep(steps, data);
      timer ??= setTimeout(show, FLUSH_INTERVAL_MS);
    });
    client.call('run.steps', {id: runId}).then(
      (result) => {
        steps = early.reduce(putStep, result.steps);
        show();
      },
      // A run pruned meanwhile, or a daemon from before steps: nothing to show.
      () => {
        steps = early.reduce(putStep, [] as StepRecord[]);
        show();
      },
    );
    return () => {
      active = false;
      stopListening();
      clearTimeout(timer);
    };
  }, [client, runId]);
  return state.runId === runId ? state.steps : null;
}

/** The list with `step` in place of the record of the same key, or added at its end. */
export function putStep(steps: StepRecord[], step: StepRecord): StepRecord[] {
  const index = steps.findIndex((known) => known.key === step.key);
  return index === -1 ? [...steps, step] : steps.with(index, step);
}

/** The run's prompts that wait for an answer. */
export function waitingPrompts(steps: StepRecord[] | null): StepRecord[] {
  return (steps ?? []).filter((step) => step.kind === 'prompt' && step.status === 'waiting');
}
