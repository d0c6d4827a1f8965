import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FileStore, type ActionRecord } from '../../src/store/store.js';

/** A fresh database in its own temporary directory. */
export async function tempStore(): Promise<{ store: FileStore; file: string; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-bot-test-'));
  const file = path.join(dir, 'audit-db.json');
  return { store: await FileStore.open(file), file, dir };
}

/** An action-log entry with every field the store requires (for tests that only count or name entries). */
export function actionEntry(id: string, at = new Date().toISOString()): ActionRecord {
  return {
    id,
    at,
    requestId: `request-${id}`,
    result: 'refused',
    action: 'iam.deactivate-access-key',
    fingerprint: 'unknown',
    accountId: '111111111111',
    alias: 'test',
    checkId: 'iam.access-key-rotation',
    user: 'U0TEST',
  };
}
