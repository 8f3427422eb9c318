import {Flags} from '@oclif/core';
import {AttachedPrompts} from '../cli/attached-prompts.js';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {followRun} from '../client/follow.js';
import {readRunInput} from '../client/input.js';
import {parseRunTarget} from '../client/targets.js';
import type {RunRecord} from '../protocol/index.js';
import {renderLogLine, renderOutcome, renderProgress} from '../render/runs.js';
import {stringArg} from '../cli/args.js';

export default class Run extends CapsuleCommand {
  static override summary = 'Run a task and stream its logs and result.';
  static override description =
    'TARGET is NAMESPACE/TASK, or a file for an ad-hoc run of the task it declares (with several, --task NAME or the one named main). Attached, it exits 0 when the run succeeds and 1 when it fails; Ctrl-C cancels the run.';
  static override examples = [
    `<%= config.bin %> run reports/build_report --input '{"id":7}'`,
    '<%= config.bin %> run reports/build_report --input-file input.json --detach',
    '<%= config.bin %> run ./scripts/cleanup.ts',
  ];
  static override args = {target: stringArg({required: true, description: 'NAMESPACE/TASK or a task file.'})};
  static override flags = {
    input: Flags.string({char: 'i', description: 'Input as JSON.'}),
    'input-file': Flags.string({description: 'Read the input (JSON) from a file.'}),
    task: Flags.string({description: 'With a file TARGET: which of its tasks to run.'}),
    detach: Flags.boolean({char: 'd', description: 'Print the run id and return at once.'}),
    ...autostartFlag,
  };

  async run(): Promise<RunRecord> {
    const {args, flags} = await this.parse(Run);
    const input = await readRunInput(flags);
    const target = parseRunTarget(args.target, flags.task);
    const client = await this.daemon(flags.autostart);
    if (flags.detach) {
      const run = await client.call('run.submit', {target, input});
      this.log(run.id);
      return run;
    }

    let cancelling = false;
    let runId: string | null = null;
    // Its questions, asked here; fed from the first event, which may come before the submit's reply is read.
    const prompts = new AttachedPrompts(client, {interactive: process.stdin.isTTY === true, write: (text) => process.stderr.write(text)});
    const onSigint = () => {
      if (cancelling || runId === null) process.exit(130);
      cancelling = true;
      process.stderr.write(`\ncancelling ${runId}… (Ctrl-C again to leave it running)\n`);
      void client.call('run.cancel', {id: runId}).catch(() => undefined);
    };
    process.on('SIGINT', onSigint);
    const showProgress = process.stderr.isTTY && !this.jsonEnabled();
    let progressShown = false;
    try {
      const final = await followRun(
        client,
        async () => {
          const run = await client.call('run.submit', {target, input, follow: true});
          runId = run.id;
          if (!this.jsonEnabled()) process.stderr.write(`${this.paint('dim', `${run.id} queued`)}\n`);
          prompts.begin();
          return run;
        },
        {
          onLog: (line) => this.log(renderLogLine(line, this.paint)),
          onProgress: (progress) => {
            if (!showProgress) return;
            process.stderr.write(`\r\u001B[2K${renderProgress(progress)}`);
            progressShown = true;
          },
          onUpdate: (run) => {
            // Only a progress line is cleared: the line may be a question the run asks now.
            if (progressShown && run.status !== 'running') {
              process.stderr.write('\r\u001B[2K');
              progressShown = false;
            }
            prompts.onUpdate(run);
          },
          onStep: (step) => prompts.onStep(step),
        },
      );
      this.log(renderOutcome(final, this.paint));
      if (final.status !== 'succeeded') {
        if (this.jsonEnabled()) this.logJson(final);
        this.exit(1);
      }
      return final;
    } finally {
      prompts.close();
      process.off('SIGINT', onSigint);
    }
  }
}
