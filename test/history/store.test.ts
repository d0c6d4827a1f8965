import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AuditBotError } from '../../src/errors.js';
import { SCHEMA_VERSION, Store } from '../../src/history/store.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'audit-store-'));
  file = path.join(dir, 'data', 'audit-db.json');
});

async function refusal(): Promise<AuditBotError> {
  const error = await Store.open(file).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuditBotError);
  expect((error as AuditBotError).code).toBe('STORE_UNREADABLE');
  return error as AuditBotError;
}

describe('Store', () => {
  it('starts empty, writes atomically with mode 0600, and reads back what it wrote', async () => {
    const store = await Store.open(file);
    expect(store.data).toMatchObject({ schemaVersion: SCHEMA_VERSION, scans: [], findings: [], mutes: [], actions: [], digest: { cursor: null } });
    await store.update((d) => void (d.digest.cursor = '2026-11-23T09:00:00.000Z'));
    await store.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(path.dirname(file))).sort()).toEqual(['audit-db.json']); // no temp file, lock released
    const again = await Store.open(file);
    expect(again.data.digest.cursor).toBe('2026-11-23T09:00:00.000Z');
    await again.close();
  });

  it('applies concurrent updates one after another: none is lost', async () => {
    const store = await Store.open(file);
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.update((d) => void d.actions.push({ id: `a${i}`, at: 'now' }))));
    await store.close();
    const written = JSON.parse(await readFile(file, 'utf8')) as { actions: unknown[] };
    expect(written.actions).toHaveLength(25);
  });

  it('refuses a corrupt file with a clear message and never overwrites it', async () => {
    await Store.open(file).then((s) => s.close());
    await writeFile(file, '{"schemaVersion": 1, "scans": [');
    const error = await refusal();
    expect(error.message).toContain(`The bot's database ${file} is not valid JSON`);
    expect(error.message).toContain('never overwrites it');
    expect(await readFile(file, 'utf8')).toBe('{"schemaVersion": 1, "scans": [');
    await writeFile(file, '{"schemaVersion": 1, "scans": "nope"}');
    expect((await refusal()).message).toContain('does not have the expected shape (scans:');
    await writeFile(file, '[]');
    expect((await refusal()).message).toContain('is not a JSON object');
  });

  it('refuses a file from a newer version, and migrates one without a version', async () => {
    await Store.open(file).then((s) => s.close());
    await writeFile(file, JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1 }));
    expect((await refusal()).message).toContain('written by a newer version');
    await writeFile(file, JSON.stringify({ findings: [] }));
    const store = await Store.open(file);
    expect(store.data.schemaVersion).toBe(SCHEMA_VERSION);
    expect(store.data.mutes).toEqual([]);
    await store.close();
  });

  it('lets one writer at a time have the file, and takes over a lock left by a dead process', async () => {
    const first = await Store.open(file);
    expect((await refusal()).message).toContain('is in use by another bot');
    await first.close();
    await writeFile(`${file}.lock`, '999999999');
    const second = await Store.open(file);
    await second.close();
  });

  it('takes over a lock with its own process id that it does not hold (a container restarted as PID 1 after a crash)', async () => {
    await Store.open(file).then((s) => s.close());
    await writeFile(`${file}.lock`, String(process.pid));
    const store = await Store.open(file);
    // While it holds it, a second store in the same process is refused.
    expect((await refusal()).message).toContain('is in use by another bot');
    await store.close();
  });

  it('leaves the old file whole when a write fails', async () => {
    const store = await Store.open(file);
    await store.update((d) => void d.scans.push({ id: 's1', alias: 'a', accountId: '123456789012', startedAt: 'x', checkIds: [], regions: [], findings: 0, errors: 0 }));
    const before = await readFile(file, 'utf8');
    const bad = store.update((d) => void ((d as { digest: unknown }).digest = { cursor: 1n }));
    await expect(bad).rejects.toThrow(/BigInt/);
    expect(await readFile(file, 'utf8')).toBe(before);
    // Nor in memory: what the store serves is what is on disk.
    expect(store.data.digest.cursor).toBeNull();
    expect(store.data.scans).toHaveLength(1);
    await store.update((d) => void (d.digest.cursor = '2026-11-23T09:00:00.000Z'));
    expect(JSON.parse(await readFile(file, 'utf8')).digest.cursor).toBe('2026-11-23T09:00:00.000Z');
    await store.close();
  });
});
