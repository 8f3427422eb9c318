import type {Dispatch, SetStateAction} from 'react';
import {toCapsuleError} from '../src/lib/errors.js';
import {SECRET_MASK, isFinalRunStatus, parseActionArgLine, type ConfigEntry, type RunRecord, type StepRecord} from '../src/protocol/index.js';
import type {PickerOption} from './components/Picker.js';
import type {StatusMessage} from './components/StatusLine.js';
import type {Actions} from './hooks/useActions.js';
import {waitingPrompts} from './hooks/useRunSteps.js';
import {answerPrompt, cancelRun, closeSession, controlOnNode, interruptSession, rerun, restartService, runAction, setConfig, shownValue, startService, stopService, submitRun, toggleSchedule, triggerSchedule} from './operations.js';
import {taskOf, type SelectedItem} from './state/item.js';
import {latestRun, runsOf} from './state/runs.js';

/** What covers the status line or the log pane while it waits for an answer. */
export type Modal =
  | {kind: 'confirm'; question: string; onYes(): void}
  | {kind: 'prompt'; id: string; title: string; initial: string; hint?: string; error: string | null; errorHint?: string; secret?: boolean; onSubmit(value: string): void}
  | {kind: 'pick'; title: string; options: PickerOption[]; onPick(index: number): void}
  /** Typing narrows as it goes; `before` is restored by Esc. */
  | {kind: 'filter' | 'search'; before: string};

export interface CommandContext {
  item: SelectedItem | null;
  /** The run the keys act on: the picked board card or detail row. */
  run: RunRecord | null;
  /** That run's steps; null while they load. */
  steps: StepRecord[] | null;
  /** The config value picked in a service's details. */
  entry: ConfigEntry | null;
  config: ConfigEntry[] | null;
  runs: ReadonlyMap<string, RunRecord>;
  refreshConfig(): void;
}

export interface Commands {
  restart(): void;
  stopStart(): void;
  runTask(): void;
  cancel(): void;
  pause(): void;
  action(): void;
  edit(): void;
}

const STOPPED = new Set(['stopped', 'exited', 'failed']);

const remoteRef = (service: {namespace: string; name: string; node: string}) => ({namespace: service.namespace, name: service.name, node: service.node});

/** The keys that reach the daemon: each asks what it needs (a confirmation, an input, a choice), then goes through `perform`. */
export function commands(context: CommandContext, actions: Actions, setModal: Dispatch<SetStateAction<Modal | null>>): Commands {
  const {item, run, runs} = context;
  const {perform} = actions;
  const info = (text: string) => actions.setStatus({tone: 'info', text} satisfies StatusMessage);
  const confirm = (question: string, onYes: () => void) => setModal({kind: 'confirm', question, onYes});

  const rerunRun = (target: RunRecord) => confirm(`Re-run ${target.namespace}/${target.task} (${target.id})?`, () => void perform(`re-running ${target.id}…`, (client) => rerun(client, target)));
  const cancel = (target: RunRecord) =>
    isFinalRunStatus(target.status) ? info(`${target.id} already ended (${target.status})`) : confirm(`Cancel ${target.id} (${target.namespace}/${target.task})?`, () => void perform(`cancelling ${target.id}…`, (client) => cancelRun(client, target)));

  /** `a` on a picked run: its waiting question, asked in a prompt (masked for a secret); the daemon's refusal shows in place. */
  const answer = (target: RunRecord) => {
    if (target.status !== 'waiting') return info(`${target.id} is ${target.status}: a answers the question of a waiting run`);
    if (context.steps === null) return info(`loading the steps of ${target.id}…`);
    const prompts = waitingPrompts(context.steps);
    if (prompts.length === 0) return info(`${target.id} waits for a signal or a sleep, not an answer: \`capsule signal ${target.id} NAME\``);
    const ask = (step: StepRecord) => {
      const prompt = step.prompt!;
      const id = `answer:${target.id}/${step.key}`;
      const choices = prompt.choices === null ? 'any text' : `one of ${prompt.choices.join(' / ')}`;
      const fallback = prompt.default === null ? '' : ` · Enter alone: ${prompt.secret ? 'the default' : prompt.default}`;
      setModal({
        kind: 'prompt',
        id,
        title: `Answer ${target.id} (${step.key}): ${prompt.question}`,
        initial: '',
        hint: `${choices}${fallback}`,
        error: null,
        secret: prompt.secret,
        onSubmit: (value) => {
          void perform(`answering ${target.id}…`, (client) => answerPrompt(client, target, step, value)).then((error) => {
            if (error) return setModal((modal) => (modal?.kind === 'prompt' && modal.id === id ? {...modal, error: error.message, errorHint: error.hint} : modal));
            setModal((modal) => (modal?.kind === 'prompt' && modal.id === id ? null : modal));
          });
        },
      });
    };
    if (prompts.length === 1) return ask(prompts[0]!);
    setModal({
      kind: 'pick',
      title: `Which question of ${target.id}?`,
      options: prompts.map((step) => ({label: step.key, detail: step.prompt!.question})),
      onPick: (index) => ask(prompts[index]!),
    });
  };

  return {
    restart() {
      if (run) return rerunRun(run);
      if (item?.kind === 'service') {
        const ref = {namespace: item.namespace, name: item.service.name};
        return confirm(`Restart ${ref.namespace}/${ref.name}?`, () => void perform(`restarting ${ref.namespace}/${ref.name}…`, (client) => restartService(client, ref)));
      }
      if (item?.kind === 'remote') {
        const ref = remoteRef(item.service);
        return confirm(`Restart ${ref.namespace}/${ref.name} on node ${ref.node}?`, () => void perform(`restarting ${ref.namespace}/${ref.name} on ${ref.node}…`, (client) => controlOnNode(client, 'restart', ref)));
      }
      if (item?.kind === 'schedule') {
        const ref = {namespace: item.namespace, name: item.schedule.name};
        return confirm(`Trigger ${ref.namespace}/${ref.name} now?`, () => void perform(`triggering ${ref.namespace}/${ref.name}…`, (client) => triggerSchedule(client, ref)));
      }
      if (item?.kind === 'task') {
        const latest = latestRun(runs, item.namespace, item.task.name);
        return latest ? rerunRun(latest) : info(`${item.namespace}/${item.task.name} has no run to re-run yet: t runs it`);
      }
      info('r restarts a service, triggers a schedule or re-runs a run: select one first');
    },

    stopStart() {
      if (item?.kind === 'session') {
        const {id, state} = item.session;
        return confirm(`Close session ${id}${state === 'busy' ? ' (a snippet is running in it)' : ''}? Its names are gone for good.`, () => void perform(`closing ${id}…`, (client) => closeSession(client, id)));
      }
      if (item?.kind === 'remote') {
        const ref = remoteRef(item.service);
        if (STOPPED.has(item.service.state)) return void perform(`starting ${ref.namespace}/${ref.name} on ${ref.node}…`, (client) => controlOnNode(client, 'start', ref));
        return confirm(`Stop ${ref.namespace}/${ref.name} on node ${ref.node}?`, () => void perform(`stopping ${ref.namespace}/${ref.name} on ${ref.node}…`, (client) => controlOnNode(client, 'stop', ref)));
      }
      if (item?.kind !== 'service') return info('s stops or starts a service, or closes a session: select one first');
      const ref = {namespace: item.namespace, name: item.service.name};
      if (STOPPED.has(item.service.state)) return void perform(`starting ${ref.namespace}/${ref.name}…`, (client) => startService(client, ref));
      confirm(`Stop ${ref.namespace}/${ref.name}?`, () => void perform(`stopping ${ref.namespace}/${ref.name}…`, (client) => stopService(client, ref)));
    },

    runTask() {
      const ref = taskOf(item);
      if (ref === null) return info('t runs a task: select a task (or a schedule, for its task) first');
      const {namespace, task} = ref;
      const last = latestRun(runs, namespace, task);
      const initial = last === undefined || last.input === undefined ? '{}' : JSON.stringify(last.input);
      const id = `run:${namespace}/${task}`;
      setModal({
        kind: 'prompt',
        id,
        title: `Run ${namespace}/${task} with input (JSON)`,
        initial,
        hint: last ? 'prefilled with the last run\'s input' : undefined,
        error: null,
        onSubmit: (text) => {
          let input: unknown;
          try {
            input = JSON.parse(text.trim() === '' ? 'null' : text);
          } catch (error) {
            return setModal((modal) => (modal?.kind === 'prompt' && modal.id === id ? {...modal, error: `expected JSON input: ${(error as Error).message}`, errorHint: 'e.g. {"id": 7}'} : modal));
          }
          setModal(null);
          void perform(`submitting a run of ${namespace}/${task}…`, async (client) => {
            const submitted = await submitRun(client, namespace, task, input);
            return `submitted ${submitted.id} for ${namespace}/${task} (${submitted.status})`;
          });
        },
      });
    },

    cancel() {
      if (run) return cancel(run);
      if (item?.kind === 'session') {
        const {id, state} = item.session;
        if (state !== 'busy') return info(`no snippet is running in ${id}`);
        return confirm(`Interrupt the snippet running in ${id}? The session and its names stay.`, () => void perform(`interrupting ${id}…`, (client) => interruptSession(client, id)));
      }
      if (item?.kind === 'task') {
        const active = runsOf(runs, item.namespace, item.task.name).find((candidate) => !isFinalRunStatus(candidate.status));
        return active ? cancel(active) : info(`nothing of ${item.namespace}/${item.task.name} is running or queued`);
      }
      info('c cancels a run (select a task, or pick a run in its details or on the board) or interrupts a session\'s snippet');
    },

    pause() {
      if (item?.kind !== 'schedule') return info('p pauses or resumes a schedule: select one first');
      const ref = {namespace: item.namespace, name: item.schedule.name};
      void perform(`${item.schedule.paused ? 'resuming' : 'pausing'} ${ref.namespace}/${ref.name}…`, (client) => toggleSchedule(client, ref, item.schedule));
    },

    action() {
      if (run) return answer(run);
      if (item?.kind !== 'service') return info('a runs a service action, or answers a waiting run: select a service, or pick a run first');
      const {namespace, service} = item;
      if (service.actions.length === 0) return info(`${namespace}/${service.name} declares no actions`);
      setModal({
        kind: 'pick',
        title: `Run an action of ${namespace}/${service.name}`,
        options: service.actions.map((action) => ({label: action.name, detail: action.description})),
        onPick: (index) => {
          const action = service.actions[index]!.name;
          const id = `action:${namespace}/${service.name}/${action}`;
          const hint = 'e.g. scope=all dry_run=true';
          setModal({
            kind: 'prompt',
            id,
            title: `Run ${action} on ${namespace}/${service.name} with arguments (key=value …)`,
            initial: '',
            hint: 'space-separated key=value, a value with spaces in quotes: msg="two words" · Enter alone runs it without any',
            error: null,
            onSubmit: (line) => {
              let args: Record<string, string>;
              try {
                args = parseActionArgLine(line, hint);
              } catch (error) {
                const failure = toCapsuleError(error);
                return setModal((modal) => (modal?.kind === 'prompt' && modal.id === id ? {...modal, error: failure.message, errorHint: failure.hint} : modal));
              }
              setModal(null);
              void perform(`running ${action} on ${namespace}/${service.name}…`, (client) => runAction(client, {namespace, name: service.name}, action, args));
            },
          });
        },
      });
    },

    edit() {
      if (item?.kind !== 'service') return info('e edits a service config value: select a service first');
      const {namespace, service} = item;
      const edit = (entry: ConfigEntry) => {
        const id = `config:${namespace}/${service.name}/${entry.key}`;
        setModal({
          kind: 'prompt',
          id,
          title: `Set ${namespace}/${service.name} ${entry.key} (${entry.type}${entry.secret ? ', secret' : ''})`,
          initial: entry.secret || entry.value === null ? '' : String(entry.value),
          hint: entry.description ?? `default ${entry.default === null ? 'none' : entry.secret ? SECRET_MASK : String(entry.default)}`,
          error: null,
          secret: entry.secret,
          onSubmit: (value) => {
            void perform(`setting ${entry.key}…`, (client) => setConfig(client, {namespace, name: service.name}, entry, value)).then((error) => {
              if (error) return setModal((modal) => (modal?.kind === 'prompt' && modal.id === id ? {...modal, error: error.message, errorHint: error.hint} : modal));
              setModal(null);
              context.refreshConfig();
            });
          },
        });
      };
      if (context.entry) return edit(context.entry);
      const config = context.config;
      if (config === null) return info(`the config of ${namespace}/${service.name} is not loaded (yet)`);
      if (config.length === 0) return info(`${namespace}/${service.name} declares no config keys`);
      setModal({
        kind: 'pick',
        title: `Edit a config value of ${namespace}/${service.name}`,
        options: config.map((entry) => ({label: entry.key, detail: `${shownValue(entry)} · ${entry.type}`})),
        onPick: (index) => edit(config[index]!),
      });
    },
  };
}
