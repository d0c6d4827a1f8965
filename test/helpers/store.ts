import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../../src/store/store.js';

/** A fresh database in its own temporary directory. */
export async function tempStore(): Promise<{ store: Store; file: string; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-bot-test-'));
  const file = path.join(dir, 'audit-db.json');
  return { store: await Store.open(file), file, dir };
}
