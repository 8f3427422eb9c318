import {FatalError, task} from 'capsule';

interface ReportInput {
  id: number;
}

/** At most one report per id runs at a time; a bad id fails at once instead of retrying. */
export const report = task(
  {name: 'report', ram: '512MB', timeout: '2m', maxRetries: 3, lock: 'report:{id}'},
  async (input: ReportInput, ctx) => {
    if (!Number.isInteger(input.id)) throw new FatalError(`id must be an integer, got ${JSON.stringify(input.id)}`);
    const steps = 5;
    for (let step = 1; step <= steps; step++) {
      if (ctx.signal.aborted) throw new Error('cancelled');
      ctx.progress(step, steps, `section ${step}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    ctx.info(`report ${input.id} built`);
    return {id: input.id, sections: steps};
  },
);
