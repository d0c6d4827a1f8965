import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Store } from '../../src/store/contract.js';
import { PostgresStore } from '../../src/store/postgres/store.js';
import { FileStore } from '../../src/store/store.js';
import { tempStore } from './store.js';

export type BackendName = 'file' | 'postgres';

export const BACKENDS: readonly BackendName[] = ['file', 'postgres'];

/** The test server's URL (see test/global-setup.ts). */
export function databaseUrl(): string {
  return inject('databaseUrl');
}

/** A schema no other test uses. */
export function freshSchema(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

export interface OpenedBackend {
  store: Store;
  /** Another process's view of the same database (PostgreSQL: a second store on it; the file: the same file, after this one is closed). */
  another(): Promise<Store>;
  /** Closes every store opened here and removes what they wrote. */
  cleanup(): Promise<void>;
}

/** An empty store of a backend: a JSON file in its own directory, or a schema of its own on the test server. */
export async function openBackend(name: BackendName): Promise<OpenedBackend> {
  const opened: Store[] = [];
  if (name === 'file') {
    const { store, file } = await tempStore();
    opened.push(store);
    return {
      store,
      async another() {
        await Promise.all(opened.map((s) => s.close()));
        const next = await FileStore.open(file);
        opened.push(next);
        return next;
      },
      async cleanup() {
        await Promise.all(opened.map((s) => s.close()));
      },
    };
  }
  const schema = freshSchema();
  const store = await PostgresStore.open(databaseUrl(), { schema });
  opened.push(store);
  return {
    store,
    async another() {
      const next = await PostgresStore.open(databaseUrl(), { schema });
      opened.push(next);
      return next;
    },
    async cleanup() {
      await store.dropSchema().catch(() => undefined);
      await Promise.all(opened.map((s) => s.close()));
    },
  };
}
