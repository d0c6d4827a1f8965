import { stat } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { AuditBotError } from '../errors.js';
import type { Store } from '../store/contract.js';
import { describeTarget, openStore, targetOfArgument, type StoreTarget } from '../store/open.js';
import { isEmptyHistory, type StoreData } from '../store/records.js';
import { terminalSafe } from '../terminal/sanitize.js';
import { EXIT, type CliIo } from './shared.js';

function counts(data: StoreData): string {
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  return [
    n(data.scans.length, 'scan'),
    n(data.findings.length, 'finding state'),
    n(data.mutes.length, 'mute'),
    n(data.actions.length, 'action-log entry').replace('entrys', 'entries'),
    n(Object.keys(data.organization.accounts).length, 'discovered account'),
  ].join(', ');
}

/** What both backends keep of a document: what JSON keeps, finding states in fingerprint order (the file keeps them as written). */
const normal = (data: StoreData): unknown => {
  const copy = JSON.parse(JSON.stringify(data)) as StoreData;
  copy.findings.sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  return copy;
};

/**
 * `store migrate --from <file or URL> --to <URL or file>`: moves a whole
 * history (scans, finding states, mutes, action log, cursors, discovered
 * accounts, the clock) into an empty store, in one transaction, then reads
 * it back and compares. The source is not changed; the file's lock is taken
 * while it is read, so a bot still running on it is refused (stop it first).
 */
export async function storeMigrateCommand(options: { from?: string; to?: string; schema?: string }, io: CliIo): Promise<number> {
  if (!options.from || !options.to) throw new AuditBotError('USAGE', 'store migrate needs --from and --to (a JSON file or a postgres:// URL each).');
  const from = targetOfArgument(options.from, options.schema);
  const to = targetOfArgument(options.to, options.schema);
  if (from.backend === to.backend && describeTarget(from) === describeTarget(to)) throw new AuditBotError('USAGE', '--from and --to name the same database.');
  // A source that is not there is a typo, not an empty history to move (and opening it would create it).
  if (from.backend === 'file' && !(await stat(from.path).catch(() => undefined))?.isFile())
    throw new AuditBotError('USAGE', `There is no JSON database at ${from.path}: check --from (the config's store.path, next to the config file).`);
  const source = await openStore(from, { migrate: false });
  let target: Store | undefined;
  try {
    const data = await source.snapshot();
    if (isEmptyHistory(data)) throw new AuditBotError('USAGE', `${describeTarget(from)} holds no history: there is nothing to move.`);
    target = await openStore(to);
    io.stderr.write(`Moving ${counts(data)} from ${terminalSafe(describeTarget(from))} to ${terminalSafe(describeTarget(to))}…\n`);
    await target.load(data);
    const copied = await target.snapshot();
    if (!isDeepStrictEqual(normal(copied), normal(data)))
      throw new AuditBotError(
        'STORE_UNREADABLE',
        `The history read back from ${describeTarget(to)} differs from the one written: remove what was written there and report this as a bug.`,
      );
    io.stdout.write(`Moved ${counts(data)}; read back and compared: identical.\n`);
    io.stdout.write(`${nextStep(to)}\n`);
    return EXIT.clean;
  } finally {
    await Promise.all([source.close(), target?.close()]);
  }
}

function nextStep(to: StoreTarget): string {
  return to.backend === 'postgres'
    ? `Now set store.url (or DATABASE_URL) to that database and remove store.path from the config; ${'the JSON file stays as it was (keep it until the bot runs on PostgreSQL).'}`
    : `Now set store.path to ${to.path} and remove store.url from the config (and unset DATABASE_URL).`;
}

/** `store status`: which backend the config selects, where, and what it holds (PostgreSQL: its migrations too). */
export async function storeStatusCommand(target: StoreTarget, io: CliIo): Promise<number> {
  // A read: a mistyped schema is reported, not created.
  const store = await openStore(target, { migrate: false });
  try {
    const data = await store.snapshot();
    io.stdout.write(`Backend: ${target.backend === 'file' ? 'JSON file' : 'PostgreSQL'}\nLocation: ${terminalSafe(describeTarget(target))}\n`);
    if ('migrations' in store && typeof store.migrations === 'function') {
      const applied = (await store.migrations()) as { version: number; name: string }[];
      io.stdout.write(`Migrations: ${applied.map((m) => `${m.version} ${m.name}`).join(', ')}\n`);
    }
    io.stdout.write(`Holds: ${counts(data)}\nDigest cursor: ${data.digest.cursor ?? 'none yet'}; alerts cursor: ${data.alerts.cursor ?? 'none yet'}\n`);
    return EXIT.clean;
  } finally {
    await store.close();
  }
}
