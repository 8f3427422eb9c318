import type {UnitInstall, UnitUninstall} from '../lib/systemd-unit.js';
import type {Paint} from './style.js';

/** What `daemon install` says once the unit is written (or found written). */
export function renderUnitInstalled(result: UnitInstall, paint: Paint): string {
  const head = result.outcome === 'unchanged' ? `${result.path} already holds this unit; nothing changed` : `wrote ${result.path}`;
  const [enable, linger] = result.next.filter((line) => !line.endsWith('daemon-reload'));
  const reload = result.next.find((line) => line.endsWith('daemon-reload'));
  const lines = [head, '', 'to start the daemon now and at every boot:'];
  if (reload) lines.push(`  ${paint('bold', reload)}   ${paint('dim', '# it replaced another unit')}`);
  lines.push(`  ${paint('bold', enable!)}`);
  if (linger) lines.push(`  ${paint('bold', linger)}   ${paint('dim', '# starts your systemd at boot, without a login')}`);
  lines.push(paint('dim', 'stop a daemon started by hand first (`capsule daemon stop`): one home has one daemon'));
  return lines.join('\n');
}

/** Said on stderr when the unit goes to stdout instead of its file. */
export function renderUnitPrinted(result: UnitInstall): string {
  return result.noSystemd === null ? `the unit for ${result.path} (not written):` : `${result.noSystemd}: not writing ${result.path}; the unit it would hold:`;
}

export function renderUnitRemoved(result: UnitUninstall, paint: Paint): string {
  const [stop, reload] = result.next;
  return [
    ...result.removed.map((path) => `removed ${path}`),
    '',
    'a daemon the unit started keeps running until you stop it; then systemd forgets the unit:',
    `  ${paint('bold', stop!)}`,
    `  ${paint('bold', reload!)}`,
  ].join('\n');
}
