import {describe, expect, it} from 'vitest';
import {renderServiceTable} from '../../src/render/services.js';
import {painter} from '../../src/render/style.js';
import {service} from './fixtures.js';

describe('renderServiceTable', () => {
  it('lists why services failed under the table, one line each', () => {
    const services = [
      {...service(), namespace: 'demo'},
      {...service({name: 'typo', state: 'failed', health: null, pid: null, uptimeMs: null, cpuPercent: null, rssBytes: null, command: ['nodee', 'server.js'], reason: 'command not found: nodee'}), namespace: 'demo'},
    ];
    const lines = renderServiceTable(services, {width: 120, paint: painter(false)}).split('\n');
    expect(lines[0]).toMatch(/^SERVICE\s+STATE/);
    expect(lines[2]).toMatch(/^demo\/typo\s+✗ failed\s+-\s+-\s+-\s+1\s+-\s+-\s+nodee server\.js$/);
    expect(lines.slice(3)).toEqual(['', 'demo/typo failed: command not found: nodee']);
  });

  it('adds nothing when no service has a reason', () => {
    expect(renderServiceTable([{...service(), namespace: 'demo'}], {width: 120, paint: painter(false)}).split('\n')).toHaveLength(2);
  });
});
