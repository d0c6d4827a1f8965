import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { SEVERITIES } from '../../src/audit/types.js';
import { isDatasetId, DATASETS } from '../../src/audit/datasets/index.js';

/**
 * Check files are `checks/<service>/<id after the dot>.ts`, and a file there
 * is a check, nothing else: rules that checks (or fixes) share live in
 * src/rules/. A file that exports no check is listed as such.
 */
async function checkFiles(): Promise<string[]> {
  const out: string[] = [];
  for (const service of await readdir('checks', { withFileTypes: true })) {
    if (!service.isDirectory()) continue;
    for (const file of await readdir(path.join('checks', service.name))) {
      const mod = (await import(path.resolve('checks', service.name, file))) as { default?: { id?: unknown } };
      out.push(mod.default && typeof mod.default.id === 'string' ? `${service.name}/${file}` : `${service.name}/${file} exports no check`);
    }
  }
  return out.sort();
}

describe('the check registry', () => {
  it('registers every check file, the file name is the check id, and every file in a service folder is a check', async () => {
    const files = await checkFiles();
    expect(files.map((f) => f.replace('/', '.').replace(/\.ts$/, ''))).toEqual(ALL_CHECKS.map((c) => c.id).sort());
  });

  it('has unique ids and complete metadata', () => {
    expect(new Set(ALL_CHECKS.map((c) => c.id)).size).toBe(ALL_CHECKS.length);
    for (const check of ALL_CHECKS) {
      expect(check.id, check.id).toMatch(/^[a-z0-9]+\.[a-z0-9-]+$/);
      expect(check.id.split('.')[0], check.id).toBe(check.service);
      expect(SEVERITIES, check.id).toContain(check.severity);
      expect(check.title.length, check.id).toBeGreaterThan(5);
      expect(check.description.length, check.id).toBeGreaterThan(20);
      expect(check.remediation.length, check.id).toBeGreaterThan(10);
      expect(check.uses.length, check.id).toBeGreaterThan(0);
      for (const id of check.uses) {
        expect(isDatasetId(id), `${check.id} uses ${id}`).toBe(true);
        if (check.scope === 'global') expect(DATASETS[id].scope, `${check.id} (global) uses regional ${id}`).toBe('global');
      }
    }
  });
});
