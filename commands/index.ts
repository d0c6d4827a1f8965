import { History } from '../src/store/history.js';
import { Mutes } from '../src/store/mutes.js';
import { AccessControl } from './access.js';
import { registerAudit } from './audit/index.js';
import type { BoltApp, CommandOptions, Deps } from './deps.js';
import { registerFix } from './fix/index.js';
import { FixMemory } from './fix/memory.js';
import { registerHome } from './home/index.js';
import { registerMutes } from './mutes/index.js';

export type { CommandOptions, DigestTrigger } from './deps.js';

/** Registers every listener of the bot on `app`: `/audit`, the Home tab, mutes and fixes. */
export function registerCommands(app: BoltApp, options: CommandOptions): void {
  const deps: Deps = {
    ...options,
    now: options.now ?? (() => new Date()),
    progressIntervalMs: options.progressIntervalMs ?? 2_000,
    history: new History(options.store),
    mutes: new Mutes(options.store),
    access: new AccessControl({
      config: options.config,
      usergroupMembers: async (usergroup) => {
        const answer = await app.client.usergroups.users.list({ usergroup });
        return answer.users ?? [];
      },
    }),
    muteTimeZone: options.config.digest?.timezone ?? 'UTC',
    fix: options.remediation ? { remediation: options.remediation, memory: new FixMemory() } : undefined,
  };
  registerAudit(app, deps);
  registerHome(app, deps);
  registerMutes(app, deps);
  if (deps.fix) registerFix(app, deps, deps.fix);
}
