import {Flags} from '@oclif/core';
import {AttachedPrompts} from '../cli/attached-prompts.js';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {followRun} from '../client/follow.js';
import {readRunInput} from '../client/input.js';
import {submitParams, type OptionNames} from '../client/submit-options.js';
import {fileRunTarget, resolveRunTarget} from '../client/targets.js';
import type {RunRecord} from '../protocol/index.js';
import {renderLogLine, renderOutcome, renderProgress, renderSubmitted} from '../render/runs.js';
import {stringArg} from '../cli/args.js';

/** The submit options as this command's flags, for its messages. */
const FLAG_NAMES: OptionNames = {delay: '--in', runAt: '--at', idempotencyKey: '--idempotency-key', idempotencyTtl: '--idempotency-ttl', priority: '--priority'};

export default class Run extends CapsuleCommand {
  static override summary = 'Run a task and stream its logs and result.';
  static override description =
    'TARGET is NAMESPACE/TASK, or a file for an ad-hoc run of the task it declares (with several, --task NAME or the one named main). Attached, it exits 0 when the run succeeds and 1 when it fails; Ctrl-C cancels the run. A run delayed with --in or --at is scheduled and not followed (unless --follow): the command says when it runs and exits 0. With --idempotency-key, a second submit while the first run with the key is kept (and the key lives) follows that run instead of starting another.';
  static override examples = [
    `<%= config.bin %> run reports/build_report --input '{"id":7}'`,
    '<%= config.bin %> run reports/build_report --input-file input.json --detach',
    '<%= config.bin %> run ./scripts/cleanup.ts',
    '<%= config.bin %> run reports/build_report --in 10m',
    '<%= config.bin %> run reports/build_report --at 2026-12-02T03:00 --idempotency-key nightly-2026-12-02',
    '<%= config.bin %> run reports/build_report --priority 10',
  ];
  static override args = {target: stringArg({required: true, description: 'NAMESPACE/TASK, TASK in its project, or a task file.'})};
  static override flags = {
    input: Flags.string({char: 'i', description: 'Input as JSON.'}),
    'input-file': Flags.string({description: 'Read the input (JSON) from a file.'}),
    task: Flags.string({description: 'With a file TARGET: which of its tasks to run.'}),
    detach: Flags.boolean({char: 'd', description: 'Print the run id and return at once.', exclusive: ['follow']}),
    in: Flags.string({description: 'Start the run after this long (90s, 10m, 2h): it is scheduled until then.', helpValue: 'DURATION'}),
    at: Flags.string({description: 'Start the run at this time: 2026-12-02T03:00 (local time) or ISO 8601 with an offset.', helpValue: 'TIME'}),
    follow: Flags.boolean({char: 'f', description: 'With --in or --at: stay attached, wait for the run and stream it, as without them.'}),
    'idempotency-key': Flags.string({description: 'While a run of the task submitted with this key is kept (and the key lives), follow that run instead of starting another.', helpValue: 'KEY'}),
    'idempotency-ttl': Flags.string({description: 'How long the idempotency key lives. [default: 24h]', helpValue: 'DURATION'}),
    priority: Flags.string({description: 'Higher runs start first, FIFO among equals: -1000 to 1000. [default: 0]', helpValue: 'N'}),
    ...autostartFlag,
  };

  async run(): Promise<RunRecord> {
    const {args, flags} = await this.parse(Run);
    const input = await readRunInput(flags);
    // A missing file is refused before the daemon is started for it.
    fileRunTarget(args.target, flags.task);
    const key = flags['idempotency-key'];
    const options = submitParams({delay: flags.in, runAt: flags.at, idempotencyKey: key, idempotencyTtl: flags['idempotency-ttl'], priority: flags.priority}, FLAG_NAMES);
    const client = await this.daemon(flags.autostart);
    const target = await resolveRunTarget(client, args.target, flags.task);
    const sent = Date.now();
    // A run the key found was made before this submit was sent; a new one after.
    const announce = (run: RunRecord) => {
      if (key !== undefined && Date.parse(run.createdAt) < sent && !this.jsonEnabled()) process.stderr.write(`${run.id} already exists for key ${key}; not submitted again\n`);
    };
    const delayed = options.delayMs !== undefined || options.runAt !== undefined;
    if (flags.detach || (delayed && !flags.follow)) {
      const run = await client.call('run.submit', {target, input, ...options});
      announce(run);
      this.log(flags.detach ? run.id : renderSubmitted(run));
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
          const run = await client.call('run.submit', {target, input, follow: true, ...options});
          runId = run.id;
          announce(run);
          if (!this.jsonEnabled()) process.stderr.write(`${this.paint('dim', renderSubmitted(run))}\n`);
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
