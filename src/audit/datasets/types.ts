import type { AwsClients } from '../../aws/clients.js';

export interface LoadContext {
  clients: AwsClients;
  accountId: string;
  /** The region the dataset is loaded for; the home region for global datasets. */
  region: string;
  now: Date;
  sleep(ms: number): Promise<void>;
  /**
   * Another dataset of the same audit (memoized like the checks' reads), for
   * loaders that build on one (per-bucket reads need the bucket list). Typed
   * loosely to keep the registry's types from referring to themselves.
   */
  dataset(id: string): Promise<unknown>;
}

/** A read of one resource that may have failed on its own (AccessDenied on one bucket). */
export type Read<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function attempt<T>(read: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error };
  }
}

export interface DatasetDef<T> {
  scope: 'global' | 'regional';
  /** IAM actions the audit role needs to load it (goes into the README's policy). */
  actions: readonly string[];
  load(ctx: LoadContext): Promise<T>;
}
