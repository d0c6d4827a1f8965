import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../checks/index.js';
import { updateReadme } from '../scripts/readme.js';
import { auditActions } from '../src/roles/policies.js';

describe('README', () => {
  it('has the check table and the permissions generated from checks/ (run npm run docs when this fails)', async () => {
    const readme = await readFile('README.md', 'utf8');
    expect(readme).toBe(updateReadme(readme));
  });

  it('lists every check and every action a check needs', async () => {
    const readme = await readFile('README.md', 'utf8');
    for (const check of ALL_CHECKS) expect(readme).toContain(`| \`${check.id}\` |`);
    for (const action of auditActions(ALL_CHECKS)) expect(readme).toContain(`"${action}"`);
  });

  it('keeps exactly the two set-up commands', async () => {
    const readme = await readFile('README.md', 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
