import type { AwsClients } from '../../aws/clients.js';

export interface LoadContext {
  clients: AwsClients;
  accountId: string;
  /** The region the dataset is loaded for; the home region for global datasets. */
  region: string;
  now: Date;
  sleep(ms: number): Promise<void>;
}

export interface DatasetDef<T> {
  scope: 'global' | 'regional';
  /** IAM actions the audit role needs to load it (goes into the README's policy). */
  actions: readonly string[];
  load(ctx: LoadContext): Promise<T>;
}
