import type { WebClient } from '@slack/web-api';
import { renderHome } from '../../src/slack/render/home.js';
import type { Deps } from '../deps.js';

/** The Home tab of one user, as it is now: every account's last audit for auditors, an explanation for everyone else. */
export async function publishHome(deps: Deps, client: WebClient, userId: string): Promise<void> {
  const check = await deps.access.checkAuditor(userId);
  const running = new Set(deps.audits.list().map((r) => r.account.alias));
  const muted = await deps.mutes.active(deps.now());
  const allCheckIds = deps.checks.map((c) => c.id);
  const accounts = check.allowed
    ? await Promise.all(
        deps.config.accounts.map(async (account) => ({
          account,
          last: await deps.history.lastAudit(account.alias, account.accountId, allCheckIds, muted),
          running: running.has(account.alias),
        })),
      )
    : [];
  await client.views.publish({ user_id: userId, view: renderHome(accounts) });
}
