import { isPostgresUrl, type Config } from '../config.js';
import { AuditBotError } from '../errors.js';
import type { Store } from './contract.js';
import type { StoreLockOptions } from './lock.js';
import { redactUrl } from './postgres/url.js';

/** Which backend keeps the history, and where. */
export type StoreTarget = { backend: 'file'; path: string } | { backend: 'postgres'; url: string; schema?: string };

/**
 * The store a config names: `store.url` (PostgreSQL), else `store.path` when
 * given (the JSON file), else `DATABASE_URL` when set, else the default file.
 * A `store.path` given in the config wins over `DATABASE_URL`, so a variable
 * the platform sets for other programs does not move an existing history.
 */
export function storeTarget(config: Pick<Config, 'store'>, env: NodeJS.ProcessEnv): StoreTarget {
  const { url, schema, path, pathGiven } = config.store;
  const schemaPart = schema !== undefined ? { schema } : {};
  if (url !== undefined) return { backend: 'postgres', url, ...schemaPart };
  const fromEnv = env.DATABASE_URL?.trim();
  if (!pathGiven && fromEnv) {
    if (!isPostgresUrl(fromEnv))
      throw new AuditBotError(
        'ENV_INVALID',
        'DATABASE_URL is set but is not a PostgreSQL URL (postgres://user@host:5432/database). Unset it to keep the history in the JSON file, or set store.path in the config.',
      );
    return { backend: 'postgres', url: fromEnv, ...schemaPart };
  }
  return { backend: 'file', path };
}

/** A target from a command-line argument: a postgres:// URL, else a path to a JSON file. */
export function targetOfArgument(value: string, schema?: string): StoreTarget {
  if (/^postgres(ql)?:/i.test(value)) {
    if (!isPostgresUrl(value)) throw new AuditBotError('USAGE', 'That is not a PostgreSQL URL: expected postgres://user@host:5432/database.');
    return { backend: 'postgres', url: value, ...(schema !== undefined ? { schema } : {}) };
  }
  return { backend: 'file', path: value };
}

export interface OpenStoreOptions extends Pick<StoreLockOptions, 'onLost'> {
  /** Connection errors of idle PostgreSQL clients (logged; the pool replaces them). */
  onError?: (error: Error) => void;
  /** PostgreSQL: connections for held keys (a worker's audits hold one each). */
  lockPoolSize?: number;
  /** PostgreSQL: false to refuse a database without the bot's tables rather than create them (reading commands). */
  migrate?: boolean;
}

/** Opens the store (PostgreSQL's client loads only for a PostgreSQL target). */
export async function openStore(target: StoreTarget, options: OpenStoreOptions = {}): Promise<Store> {
  if (target.backend === 'file') {
    const { FileStore } = await import('./store.js');
    return FileStore.open(target.path, options.onLost ? { onLost: options.onLost } : {});
  }
  const { PostgresStore } = await import('./postgres/store.js');
  return PostgresStore.open(target.url, {
    ...(target.schema !== undefined ? { schema: target.schema } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.lockPoolSize !== undefined ? { lockPoolSize: options.lockPoolSize } : {}),
    ...(options.migrate !== undefined ? { migrate: options.migrate } : {}),
  });
}

/** Where a target is, for messages (never a password). */
export function describeTarget(target: StoreTarget): string {
  if (target.backend === 'file') return target.path;
  return `${redactUrl(target.url)} (schema ${target.schema ?? 'audit_bot'})`;
}
