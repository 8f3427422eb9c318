import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {readAdhocFile, renderAdhocFile, sameAdhocService, type AdhocService} from '../../src/config/adhoc-file.js';
import {loadProjectConfig} from '../../src/config/index.js';

const web: AdhocService = {command: ['/usr/bin/python3', '-m', 'http.server', '8000'], cwd: '/srv/site', env: {GREETING: 'a "quoted" = value', PORT: '8000'}, restart: 'always', health: 'http://127.0.0.1:8000/'};
const worker: AdhocService = {command: ['/usr/bin/node', 'worker.js'], cwd: '/srv/jobs', env: {}, restart: null, health: null};

describe('the ad-hoc capsule.toml', () => {
  it('says who manages it, and reads back what it wrote', () => {
    const text = renderAdhocFile({worker, web});
    expect(text.split('\n')[0]).toBe('# Managed by capsule: services started with `capsule start --name NAME -- CMD ...`.');
    expect(text).toContain('capsule delete NAME');
    // Sorted by name: a rewrite of the same services is the same file.
    expect(text.indexOf('[services.web]')).toBeLessThan(text.indexOf('[services.worker]'));
    expect(readAdhocFile(text)).toEqual({services: {web, worker}, unreadable: []});
  });

  it('writes only what was given: no restart, env or health tables for a bare command', () => {
    const text = renderAdhocFile({worker});
    expect(text).not.toMatch(/restart|env|health/);
  });

  it('is a project file the config loader accepts, mapping the flags onto service fields', async () => {
    const root = await mkdtemp(join(tmpdir(), 'adhoc-'));
    try {
      await writeFile(join(root, 'capsule.toml'), renderAdhocFile({web, worker}));
      const config = await loadProjectConfig(root);
      expect(config.project.name).toBe('adhoc');
      expect(config.services.web).toMatchObject({command: web.command, cwd: '/srv/site', env: web.env, restart: 'always', health: {probe: {kind: 'http', url: 'http://127.0.0.1:8000/'}}});
      expect(config.services.worker).toMatchObject({restart: 'on-failure', health: null, env: {}});
    } finally {
      await rm(root, {recursive: true, force: true});
    }
  });

  it('names the tables it cannot read back instead of dropping them', () => {
    const text = `${renderAdhocFile({web})}\n[services.hand]\ncommand = "echo hi"\n`;
    expect(readAdhocFile(text)).toEqual({services: {web}, unreadable: ['hand']});
  });

  it('tells the same service from another', () => {
    expect(sameAdhocService(web, {...web, env: {...web.env}})).toBe(true);
    expect(sameAdhocService(web, {...web, restart: 'never'})).toBe(false);
    expect(sameAdhocService(web, {...web, command: ['/usr/bin/python3', '-m', 'http.server', '8001']})).toBe(false);
  });
});
