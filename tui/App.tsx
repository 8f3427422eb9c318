import {Box, useApp} from 'ink';
import {useMemo, useState} from 'react';
import type {Connect} from './client.js';
import {commands, type Modal} from './commands.js';
import {Banner} from './components/Banner.js';
import {Board} from './components/Board.js';
import {Confirm} from './components/Confirm.js';
import {Details} from './components/Details.js';
import {Footer} from './components/Footer.js';
import {Header} from './components/Header.js';
import {Help} from './components/Help.js';
import {LogPane} from './components/LogPane.js';
import {ModalView} from './components/ModalView.js';
import {pickerHeight} from './components/Picker.js';
import {PROMPT_HEIGHT} from './components/Prompt.js';
import {StatusLine, type StatusMessage} from './components/StatusLine.js';
import {Tree} from './components/Tree.js';
import {useActions} from './hooks/useActions.js';
import {useDaemon} from './hooks/useDaemon.js';
import {KeyboardProvider} from './hooks/useKeyboard.js';
import {useKeys} from './hooks/useKeys.js';
import {useNow} from './hooks/useNow.js';
import {useRunList} from './hooks/useRunList.js';
import {useRunSteps, waitingPrompts} from './hooks/useRunSteps.js';
import {useSelectionData} from './hooks/useSelectionData.js';
import {useSelectionLog} from './hooks/useSelectionLog.js';
import {useTerminalSize} from './hooks/useTerminalSize.js';
import {footerHints} from './keys.js';
import {layout} from './layout.js';
import {boardColumns} from './state/board.js';
import {headerCounts} from './state/counts.js';
import {findItem} from './state/item.js';
import {logTargetKey, searchLines} from './state/log.js';
import {runsOf, taskActivity} from './state/runs.js';
import {buildRows} from './state/tree.js';
import {boardScopeOf, logSubject, logTargetFor} from './state/targets.js';
import {INITIAL_VIEW, freshLog, selectedRow} from './state/view.js';
import {ColorContext} from './theme.js';

/** Newest runs fetched for the board. */
export const BOARD_RUNS = 100;

export interface DashboardProps {
  connect: Connect;
  /** Colours on (false under NO_COLOR). */
  color?: boolean;
}

/** The whole dashboard; `connect` is called again whenever the connection drops. */
export function Dashboard({connect, color = true}: DashboardProps) {
  return (
    <ColorContext.Provider value={color}>
      <App connect={connect} />
    </ColorContext.Provider>
  );
}

function App({connect}: {connect: Connect}) {
  const {exit} = useApp();
  return (
    <KeyboardProvider onInterrupt={() => exit()}>
      <Screen connect={connect} exit={() => exit()} />
    </KeyboardProvider>
  );
}

function Screen({connect, exit}: {connect: Connect; exit(): void}) {
  const {connection, client, data, dispatch, loadError} = useDaemon(connect);
  const size = useTerminalSize();
  // Re-renders once a second for relative times; each render reads the clock itself, so a
  // run that just finished never shows as finishing "in 200ms".
  const tick = useNow(1000);
  const now = Date.now();
  const [view, setView] = useState(INITIAL_VIEW);
  const [modal, setModal] = useState<Modal | null>(null);
  const actions = useActions(client);

  const activity = useMemo(() => (data.runsTracked ? taskActivity(data.runs) : null), [data.runs, data.runsTracked]);
  const rows = useMemo(() => buildRows(data.projects, {collapsed: view.collapsed, filter: view.filter}, data.sessions, data.cluster), [data.projects, view.collapsed, view.filter, data.sessions, data.cluster]);
  const index = selectedRow(rows, view);
  const selection = rows[index]?.selection ?? null;
  const item = useMemo(() => findItem(data.projects, selection, activity, data.sessions, data.cluster), [data.projects, selection, activity, data.sessions, data.cluster]);
  const extra = useSelectionData(client, data, item, dispatch);

  const scope = view.mode === 'board' ? view.board.scope : null;
  useRunList(client, scope?.namespace ?? null, scope?.task ?? null, BOARD_RUNS, dispatch);
  const columns = useMemo(() => (scope ? boardColumns(runsOf(data.runs, scope.namespace, scope.task ?? undefined)) : []), [data.runs, scope]);
  const boardRun = scope ? (columns[view.board.column]?.[view.board.index] ?? null) : null;
  const detailRun = view.focus === 'details' && (item?.kind === 'task' || item?.kind === 'schedule') ? (extra.runs[view.detailIndex] ?? null) : null;
  const entry = view.focus === 'details' && item?.kind === 'service' ? (extra.config.value?.[view.detailIndex] ?? null) : null;
  const run = boardRun ?? detailRun;
  const steps = useRunSteps(client, run?.id ?? null);
  const answerable = run?.status === 'waiting' && waitingPrompts(steps).length > 0;

  const logTarget = logTargetFor(item, run);
  useSelectionLog(client, logTarget, dispatch);
  // Another item's (or run's) log starts at its end, and a search typed for the previous one does
  // not carry over to it, whatever changed the selection (a key, a filter, a row that went away).
  const logKey = logTargetKey(logTarget);
  const [shownLogKey, setShownLogKey] = useState(logKey);
  if (shownLogKey !== logKey) {
    setShownLogKey(logKey);
    setView(freshLog);
    if (modal?.kind === 'search') setModal(null);
  }
  const logLines = useMemo(() => searchLines(data.log.lines, view.logSearch), [data.log.lines, view.logSearch]);

  const modalHeight = modal?.kind === 'prompt' || modal?.kind === 'filter' || modal?.kind === 'search' ? PROMPT_HEIGHT : modal?.kind === 'pick' ? pickerHeight(modal.options) : 0;
  const box = layout(size, {banner: connection.state !== 'connected', modalHeight, showLog: view.mode !== 'help'});
  const detailCount = item?.kind === 'service' ? (extra.config.value?.length ?? 0) : extra.runs.length;

  useKeys({
    view,
    setView,
    setModal,
    rows,
    page: Math.max(1, box.bodyHeight - 2),
    detailCount,
    boardSizes: columns.map((column) => column.length),
    boardScope: boardScopeOf(item),
    log: {lines: logLines, height: Math.max(1, box.logHeight - 1)},
    commands: commands({item, run, steps, entry, config: extra.config.value, runs: data.runs, refreshConfig: extra.config.refresh}, actions, setModal),
    exit,
  });

  const counts = useMemo(() => headerCounts(data.projects, activity, Date.now()), [data.projects, activity, tick]);
  const status: StatusMessage | null = actions.status ?? (loadError ? {tone: 'error', text: `could not load the projects: ${loadError.message}`, hint: loadError.hint} : data.problems.length ? {tone: 'info', text: `this daemon did not answer ${data.problems.map((problem) => problem.method).join(', ')}: ${data.problems[0]!.message}`} : null);

  return (
    <Box flexDirection="column" width={box.width} height={box.height}>
      <Header status={data.status} counts={counts} width={box.width} />
      <Banner connection={connection} now={now} width={box.width} />
      {view.mode === 'help' ? (
        <Help width={box.width} height={box.bodyHeight} />
      ) : view.mode === 'board' && scope ? (
        <Board scope={scope.task ? `${scope.namespace}/${scope.task}` : scope.namespace} oneTask={scope.task !== null} columns={columns} progress={data.progress} column={view.board.column} index={view.board.index} width={box.width} height={box.bodyHeight} now={now} steps={steps} />
      ) : (
        <Box flexDirection="row" height={box.bodyHeight}>
          <Tree rows={rows} selected={index} height={box.bodyHeight} width={box.treeWidth} focused={view.focus === 'tree'} filter={view.filter} activity={activity} now={now} />
          <Box borderStyle="single" borderTop={false} borderRight={false} borderBottom={false} borderDimColor paddingLeft={1} width={box.detailsWidth + 1} height={box.bodyHeight}>
            <Details item={item} extra={extra} run={detailRun} steps={steps} focused={view.focus === 'details'} detailIndex={view.detailIndex} width={box.detailsWidth - 1} height={box.bodyHeight} now={now} />
          </Box>
        </Box>
      )}
      {view.mode !== 'help' ? <LogPane log={data.log} lines={logLines} subject={logSubject(item, run, data.log.runId)} anchor={view.logAnchor} search={view.logSearch} focused={view.focus === 'logs'} width={box.width} height={box.logHeight} /> : null}
      <ModalView modal={modal} setModal={setModal} setView={setView} width={box.width} />
      {modal?.kind === 'confirm' ? (
        <Confirm
          question={modal.question}
          width={box.width}
          onAnswer={(yes) => {
            setModal(null);
            if (yes) modal.onYes();
            else actions.setStatus({tone: 'info', text: 'cancelled'});
          }}
        />
      ) : (
        <StatusLine status={status} width={box.width} />
      )}
      <Footer hints={modal ? [] : footerHints(view.mode, view.focus, item?.kind ?? null, answerable)} width={box.width} />
    </Box>
  );
}
