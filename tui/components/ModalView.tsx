import type {Dispatch, SetStateAction} from 'react';
import type {Modal} from '../commands.js';
import type {ViewState} from '../state/view.js';
import {Picker} from './Picker.js';
import {Prompt} from './Prompt.js';

/** The prompt or picker a modal asks for (a confirmation lives on the status line instead). */
export function ModalView({modal, setModal, setView, width}: {modal: Modal | null; setModal(modal: Modal | null): void; setView: Dispatch<SetStateAction<ViewState>>; width: number}) {
  if (modal?.kind === 'prompt') {
    return <Prompt key={modal.id} title={modal.title} initial={modal.initial} error={modal.error} hint={modal.error ? modal.errorHint : modal.hint} secret={modal.secret} width={width} onSubmit={modal.onSubmit} onCancel={() => setModal(null)} />;
  }
  if (modal?.kind === 'pick') return <Picker title={modal.title} options={modal.options} width={width} onPick={modal.onPick} onCancel={() => setModal(null)} />;
  if (modal?.kind === 'filter' || modal?.kind === 'search') {
    const filter = modal.kind === 'filter';
    const apply = (value: string) => setView((view) => (filter ? {...view, filter: value, selectedKey: null, selectedIndex: 0} : {...view, logSearch: value, logAnchor: null}));
    return (
      <Prompt
        key={modal.kind}
        title={filter ? 'Filter the tree' : 'Search the log'}
        initial=""
        error={null}
        hint={filter ? 'matches ns/name as you type · Enter keeps it · Esc restores the previous one' : 'shows the matching lines · Enter keeps it · Esc restores the previous one'}
        width={width}
        onChange={apply}
        onSubmit={() => setModal(null)}
        onCancel={() => {
          apply(modal.before);
          setModal(null);
        }}
      />
    );
  }
  return null;
}
