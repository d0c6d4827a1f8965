import { lstat, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import lockfile from 'proper-lockfile';
import { AuditBotError } from '../errors.js';

/**
 * One writer per database file, on one host or across containers that share
 * its volume. A process id proves nothing there (every container's bot is
 * PID 1, and a crashed bot's PID is soon someone else's), so the lock proves
 * liveness by a heartbeat: proper-lockfile holds a lock directory whose
 * modification time its holder refreshes every `updateMs`; a lock not
 * refreshed for `staleMs` belongs to a holder that is gone and may be taken
 * over. A second process that finds the lock watches it: a heartbeat seen
 * means a live holder (refused within one heartbeat), none for `staleMs`
 * means a dead one (taken over).
 */
export interface StoreLockOptions {
  /** A lock not refreshed for this long is stale (min 5 s). */
  staleMs?: number;
  /** Called when the lock was lost while held (taken over by another process after a long stall, or deleted). */
  onLost?: (error: Error) => void;
  /** How often a waiting process looks at the lock. */
  pollMs?: number;
}

export const DEFAULT_LOCK_STALE_MS = 30_000;

/** Lock directories this process holds: a second store on one file in one process would be a second writer. */
const held = new Set<string>();

export interface StoreLock {
  readonly path: string;
  /** Set when the lock was lost: writes must stop. */
  readonly lost: Error | undefined;
  release(): Promise<void>;
}

interface Owner {
  host: string;
  pid: number;
  since: string;
}

function inUse(file: string, owner: Owner | undefined, beatAgoMs: number | undefined, staleMs: number): AuditBotError {
  const who = owner ? ` (host ${owner.host}, process ${owner.pid}, since ${owner.since})` : '';
  const beat = beatAgoMs !== undefined ? `, whose lock was refreshed ${Math.max(0, Math.round(beatAgoMs / 1000))} s ago` : '';
  return new AuditBotError(
    'STORE_LOCKED',
    `The bot's database ${file} is in use by another bot${who}${beat}; only one process may write it. ` +
      `Stop that one first: a lock whose holder is gone is taken over by itself ${Math.round(staleMs / 1000)} s after its last refresh, so nothing needs deleting.`,
  );
}

async function readOwner(ownerFile: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await readFile(ownerFile, 'utf8')) as Partial<Owner>;
    if (typeof owner.host === 'string' && typeof owner.pid === 'number' && typeof owner.since === 'string') return owner as Owner;
  } catch {
    // informational only
  }
  return undefined;
}

async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Takes the lock of `file` (a `<file>.lock` directory), waiting at most `staleMs` for a dead holder's lock to go stale. */
export async function lockStore(file: string, options: StoreLockOptions = {}): Promise<StoreLock> {
  const lockPath = `${file}.lock`;
  const ownerFile = `${file}.lock.owner`;
  const staleMs = Math.max(5_000, options.staleMs ?? DEFAULT_LOCK_STALE_MS);
  const updateMs = Math.max(1_000, Math.floor(staleMs / 6));
  const pollMs = options.pollMs ?? 250;
  if (held.has(lockPath)) throw inUse(file, await readOwner(ownerFile), undefined, staleMs);

  // A lock file (not a directory) is the pid lock of an earlier version of the bot, which may still be running.
  const existing = await lstat(lockPath).catch(() => undefined);
  if (existing?.isFile()) {
    const pid = (await readFile(lockPath, 'utf8').catch(() => '')).trim();
    throw new AuditBotError(
      'STORE_LOCKED',
      `The bot's database ${file} is locked by an earlier version of the bot (${lockPath}, process ${pid || 'unknown'}). If no bot is running on it, delete ${lockPath}.`,
    );
  }

  let lost: Error | undefined;
  const tryLock = () =>
    lockfile.lock(file, {
      lockfilePath: lockPath,
      realpath: false,
      stale: staleMs,
      update: updateMs,
      retries: 0,
      onCompromised: (error) => {
        lost = error;
        held.delete(lockPath);
        options.onLost?.(error);
      },
    });

  let release: (() => Promise<void>) | undefined;
  const firstBeat = await mtimeOf(lockPath);
  const giveUpAt = Date.now() + staleMs + updateMs + 1_000;
  for (;;) {
    try {
      release = await tryLock();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new AuditBotError('STORE_UNREADABLE', `Could not lock the bot's database ${file}: ${(error as Error).message}`, { cause: error });
      }
    }
    const beat = await mtimeOf(lockPath);
    // The holder refreshed its lock while we watched: it is alive.
    if (beat !== undefined && firstBeat !== undefined && beat !== firstBeat) throw inUse(file, await readOwner(ownerFile), Date.now() - beat, staleMs);
    if (Date.now() > giveUpAt) throw inUse(file, await readOwner(ownerFile), beat === undefined ? undefined : Date.now() - beat, staleMs);
    await sleep(pollMs);
  }
  held.add(lockPath);
  const owner: Owner = { host: os.hostname(), pid: process.pid, since: new Date().toISOString() };
  await writeFile(ownerFile, `${JSON.stringify(owner)}\n`, { mode: 0o600 }).catch(() => undefined);

  return {
    path: lockPath,
    get lost() {
      return lost;
    },
    async release() {
      if (!held.delete(lockPath)) return;
      await rm(ownerFile, { force: true });
      await release!().catch(() => undefined);
    },
  };
}
