import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { History } from '../../src/store/history.js';
import { Mutes } from '../../src/store/mutes.js';
import { PostgresStore } from '../../src/store/postgres/store.js';
import { FileStore } from '../../src/store/store.js';
import { databaseUrl, freshSchema } from '../helpers/backends.js';
import { PROCESS_TEST_TIMEOUT_MS, runCliProcess } from '../helpers/cli-process.js';

const A = '111111111111';

function audit(startedAt: string, names: string[]): AuditResult {
  return {
    account: { alias: 'prod', accountId: A },
    startedAt,
    finishedAt: startedAt,
    scope: { checkIds: ['iam.user-console-mfa'], regions: ['global'] },
    findings: names.map((name) => ({
      checkId: 'iam.user-console-mfa',
      severity: 'high',
      accountId: A,
      region: 'global',
      resource: { type: 'AWS::IAM::User', id: name, arn: `arn:aws:iam::${A}:user/${name}` },
      message: `User ${name} has no MFA <@channel>`,
      fingerprint: `fp-${name}`,
    })),
    errors: [],
    stats: { durationMs: 1, apiCalls: 1 },
  } as unknown as AuditResult;
}

/** A JSON history as a bot leaves it: scans, resolved and open findings, a mute, a cursor. */
async function fileHistory(): Promise<{ file: string; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-bot-migrate-'));
  const file = path.join(dir, 'audit-db.json');
  const store = await FileStore.open(file);
  const history = new History(store, { now: () => new Date('2026-11-02T00:00:00.000Z') });
  // Findings first seen out of alphabetical order: the file keeps them as written, PostgreSQL by fingerprint.
  await history.record(audit('2026-11-01T00:00:00.000Z', ['zed']), 'prod');
  await history.record(audit('2026-11-02T00:00:00.000Z', ['alice', 'bob', 'carol']), 'prod');
  const [state] = await store.findings({ fingerprint: 'fp-alice' });
  await new Mutes(store).mute({ state: state!, reason: 'break-glass', mutedBy: 'U0ALICE01', expiresAt: '2027-01-01T00:00:00.000Z', now: new Date() });
  await store.update((d) => void (d.digest.cursor = '2026-11-02T12:00:00.000Z'));
  await store.close();
  return { file, dir };
}

describe('aws-audit-bot store migrate (the built CLI)', () => {
  it(
    'moves a JSON history into PostgreSQL without loss, leaves the file as it was, and refuses to fill a database that holds one',
    async () => {
      const { file } = await fileHistory();
      const before = await readFile(file, 'utf8');
      const schema = freshSchema();
      const url = databaseUrl();
      const run = await runCliProcess(['store', 'migrate', '--from', file, '--to', url, '--schema', schema]);
      expect(run.stderr).toContain('Moving 2 scans, 4 finding states, 1 mute, 0 action-log entries');
      expect(run.stdout).toContain('read back and compared: identical');
      expect(run.code).toBe(0);
      expect(await readFile(file, 'utf8')).toBe(before);

      const pg = await PostgresStore.open(url, { schema });
      try {
        const fromFile = JSON.parse(before);
        const byFingerprint = (d: { findings: { fingerprint: string }[] }) => ({
          ...d,
          findings: [...d.findings].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint)),
        });
        expect(fromFile.findings.map((f: { resourceId: string }) => f.resourceId)).toEqual(['zed', 'alice', 'bob', 'carol']);
        expect(await pg.snapshot()).toEqual(byFingerprint(fromFile));
        // Again: the database holds a history now, and nothing is merged.
        const again = await runCliProcess(['store', 'migrate', '--from', file, '--to', url, '--schema', schema]);
        expect(again.code).toBe(2);
        expect(again.stderr).toContain('already holds a history: nothing was moved into it');
        expect(await pg.snapshot()).toEqual(byFingerprint(fromFile));

        // And back: PostgreSQL to a new JSON file, identical to the first.
        const back = path.join(path.dirname(file), 'back.json');
        const home = await runCliProcess(['store', 'migrate', '--from', url, '--to', back, '--schema', schema]);
        expect(home.code).toBe(0);
        expect(JSON.parse(await readFile(back, 'utf8'))).toEqual(byFingerprint(fromFile));
      } finally {
        await pg.dropSchema();
        await pg.close();
      }
    },
    2 * PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'refuses a file a bot still holds, a URL that is not one, and a server it cannot reach, with a message and no stack trace',
    async () => {
      const { file, dir } = await fileHistory();
      const held = await FileStore.open(file);
      try {
        const busy = await runCliProcess(['store', 'migrate', '--from', file, '--to', `${databaseUrl()}`, '--schema', freshSchema()]);
        expect(busy.code).toBe(2);
        expect(busy.stderr).toContain('is in use by another bot');
      } finally {
        await held.close();
      }
      const bad = await runCliProcess(['store', 'migrate', '--from', file, '--to', 'postgres://']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('That is not a PostgreSQL URL');
      for (const url of ['postgres://audit:hunter2@127.0.0.1:1/audit', 'postgres://audit@127.0.0.1:1/audit?password=hunter2']) {
        const down = await runCliProcess(['store', 'migrate', '--from', file, '--to', url]);
        expect(down.code).toBe(2);
        expect(down.stderr).toContain('Cannot use the bot');
        expect(down.stderr).not.toContain('hunter2');
        expect(down.stderr).not.toMatch(/\n\s+at /);
      }
      const nowhere = await runCliProcess(['store', 'migrate', '--from', path.join(dir, 'nothere.json'), '--to', databaseUrl()]);
      expect(nowhere.code).toBe(2);
      expect(nowhere.stderr).toContain('There is no JSON database at');
      const empty = await runCliProcess(['store', 'migrate', '--from', databaseUrl(), '--schema', freshSchema(), '--to', path.join(dir, 'x.json')]);
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain('There is no bot database at');
      const missing = await runCliProcess(['store', 'migrate', '--to', file]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("required option '--from <file|url>'");

      // store status reads what the config selects.
      const config = path.join(dir, 'audit.config.yml');
      await writeFile(config, `accounts:\n  - alias: prod\n    accountId: "${A}"\n    roleArn: arn:aws:iam::${A}:role/audit\nstore:\n  path: audit-db.json\n`);
      const status = await runCliProcess(['--config', config, 'store', 'status'], { env: { ...process.env, DATABASE_URL: databaseUrl() } });
      expect(status.stdout).toContain('Backend: JSON file');
      expect(status.stdout).toContain('Holds: 2 scans, 4 finding states, 1 mute');
      expect(status.code).toBe(0);
      // A mistyped schema is reported, not created.
      const typo = freshSchema();
      const pgConfig = path.join(dir, 'pg.config.yml');
      await writeFile(
        pgConfig,
        `accounts:\n  - alias: prod\n    accountId: "${A}"\n    roleArn: arn:aws:iam::${A}:role/audit\nstore:\n  url: ${databaseUrl()}\n  schema: ${typo}\n`,
      );
      const none = await runCliProcess(['--config', pgConfig, 'store', 'status']);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain(`There is no bot database at`);
      expect(none.stderr).toContain(`(schema ${typo})`);
      const client = new pg.Client({ connectionString: databaseUrl() });
      await client.connect();
      expect((await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [typo])).rowCount).toBe(0);
      await client.end();
    },
    2 * PROCESS_TEST_TIMEOUT_MS,
  );
});
