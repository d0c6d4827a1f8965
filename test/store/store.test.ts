import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AuditBotError } from '../../src/errors.js';
import { SCHEMA_VERSION, FileStore } from '../../src/store/store.js';
import { actionEntry } from '../helpers/store.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'audit-store-'));
  file = path.join(dir, 'data', 'audit-db.json');
});

async function refusal(): Promise<AuditBotError> {
  const error = await FileStore.open(file).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuditBotError);
  expect((error as AuditBotError).code).toBe('STORE_UNREADABLE');
  return error as AuditBotError;
}

describe('Store', () => {
  it('starts empty, writes atomically with mode 0600, and reads back what it wrote', async () => {
    const store = await FileStore.open(file);
    expect(store.data).toMatchObject({ schemaVersion: SCHEMA_VERSION, scans: [], findings: [], mutes: [], actions: [], digest: { cursor: null } });
    await store.update((d) => void (d.digest.cursor = '2026-11-23T09:00:00.000Z'));
    await store.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(path.dirname(file))).sort()).toEqual(['audit-db.json']); // no temp file, lock released
    const again = await FileStore.open(file);
    expect(again.data.digest.cursor).toBe('2026-11-23T09:00:00.000Z');
    await again.close();
  });

  it('applies concurrent updates one after another: none is lost', async () => {
    const store = await FileStore.open(file);
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.update((d) => void d.actions.push(actionEntry(`a${i}`)))));
    await store.close();
    const written = JSON.parse(await readFile(file, 'utf8')) as { actions: unknown[] };
    expect(written.actions).toHaveLength(25);
  });

  it('refuses a corrupt file with a clear message and never overwrites it', async () => {
    await FileStore.open(file).then((s) => s.close());
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

  it('refuses a file from a newer version', async () => {
    await FileStore.open(file).then((s) => s.close());
    await writeFile(file, JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1 }));
    expect((await refusal()).message).toContain('written by a newer version');
  });

  it("never migrates or overwrites JSON that is not its database: package.json, {}, another tool's file", async () => {
    await FileStore.open(file).then((s) => s.close());
    const packageJson = await readFile('package.json', 'utf8');
    for (const [content, says] of [
      [packageJson, 'it holds "name", "version", "description", "license", "type", …'],
      ['{}', 'it is an empty object'],
      ['{"findings": []}', 'it holds "findings"'],
      ['{"schemaVersion": "1", "scans": []}', 'it holds "schemaVersion", "scans"'],
    ] as const) {
      await writeFile(file, content);
      const error = await refusal();
      expect(error.message).toContain(`The bot's database ${file} is not a database of this bot (it has no numeric schemaVersion; ${says}); check store.path`);
      expect(await readFile(file, 'utf8')).toBe(content);
    }
  });

  it('initialises an absent file, and opens an empty store of its own', async () => {
    await FileStore.open(file).then((s) => s.close());
    const empty = await readFile(file, 'utf8').catch(() => undefined);
    expect(empty).toBeUndefined(); // nothing written until there is something to keep
    await writeFile(file, JSON.stringify({ schemaVersion: 1, scans: [], findings: [], mutes: [], actions: [], digest: { cursor: null, lastPostedAt: null } }));
    const store = await FileStore.open(file);
    expect(store.data.digest).toMatchObject({ cursor: null, due: null, totals: {} });
    await store.close();
  });

  it('lets one writer at a time have the file: a second store, even in the same process, is refused', async () => {
    const first = await FileStore.open(file);
    const error = await FileStore.open(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_LOCKED', message: expect.stringContaining('is in use by another bot') });
    await first.close();
    const second = await FileStore.open(file);
    await second.close();
  });

  it('takes over a lock whose heartbeat stopped long ago (its holder is gone), whatever process ids say', async () => {
    await mkdir(`${file}.lock`, { recursive: true });
    const old = new Date(Date.now() - 120_000);
    await utimes(`${file}.lock`, old, old);
    await writeFile(`${file}.lock.owner`, JSON.stringify({ host: 'elsewhere', pid: process.pid, since: old.toISOString() }));
    const store = await FileStore.open(file);
    await store.update((d) => void (d.digest.cursor = '2026-11-23T09:00:00.000Z'));
    await store.close();
    expect((await readdir(path.dirname(file))).sort()).toEqual(['audit-db.json']);
  });

  it('refuses the pid lock file of an earlier version, which may still be running', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.lock`, '4242');
    const error = await FileStore.open(file).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'STORE_LOCKED',
      message: expect.stringContaining(
        `locked by an earlier version of the bot (${file}.lock, process 4242). If no bot is running on it, delete ${file}.lock.`,
      ),
    });
  });

  it('writes nothing more once its lock was taken from it, and says so', async () => {
    const lost: Error[] = [];
    const store = await FileStore.open(file, { staleMs: 5_000, onLost: (e) => lost.push(e) });
    await store.update((d) => void (d.digest.cursor = 'before'));
    // Someone removed the lock (or took it over after a long stall): the next heartbeat notices.
    await rm(`${file}.lock`, { recursive: true });
    for (let i = 0; i < 100 && lost.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(lost).toHaveLength(1);
    expect(store.lockLost).toBe(lost[0]);
    await expect(store.update((d) => void (d.digest.cursor = 'after'))).rejects.toMatchObject({
      code: 'STORE_LOCKED',
      message: expect.stringContaining('lost the lock of its database'),
    });
    expect(JSON.parse(await readFile(file, 'utf8')).digest.cursor).toBe('before');
    await store.close();
  });

  it('says in one line when the folder of store.path cannot be created', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'data'), 'a file where the folder should be');
    const error = await FileStore.open(file).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'STORE_UNREADABLE',
      message: expect.stringMatching(/^Cannot create the folder of the bot's database .*audit-db\.json: EEXIST.*Check store\.path/),
    });
  });

  it('removes the temporary files of writes a kill cut short, and nothing else', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    const leftovers = ['.audit-db.json.123.0a1b2c3d.tmp', '.audit-db.json.9.ffffffff.tmp'];
    for (const name of leftovers) await writeFile(path.join(path.dirname(file), name), '{"schemaVersion":1}');
    await writeFile(path.join(path.dirname(file), 'notes.tmp'), 'mine');
    const store = await FileStore.open(file);
    await store.close();
    expect((await readdir(path.dirname(file))).sort()).toEqual(['notes.tmp']);
  });

  it('leaves the old file whole when a write fails', async () => {
    const store = await FileStore.open(file);
    await store.update(
      (d) => void d.scans.push({ id: 's1', alias: 'a', accountId: '123456789012', startedAt: 'x', checkIds: [], regions: [], findings: 0, errors: 0 }),
    );
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
