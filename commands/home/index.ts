import type { BoltApp, Deps } from '../deps.js';
import { auditNow } from './audit-now.js';
import { publishHome } from './publish.js';
import { AUDIT_NOW_ACTION } from '../../src/slack/render/home.js';

/** The Home tab: drawn when opened; "Audit now" on it. */
export function registerHome(app: BoltApp, deps: Deps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(deps, client, event.user);
  });
  app.action(AUDIT_NOW_ACTION, async (args) => {
    await args.ack();
    await auditNow(deps, args);
  });
}
