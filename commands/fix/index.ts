import type { BlockAction } from '@slack/bolt';
import { FIX_ACTIONS } from '../../src/slack/render/fix.js';
import type { ActionArgs, BoltApp, Deps, FixDeps } from '../deps.js';
import type { Click } from './answers.js';
import { applyFix, cancelFix } from './apply.js';
import { decideFix } from './decide.js';
import { requestFix } from './request.js';
import { undoFix } from './undo.js';

type FixHandler = (fix: FixDeps, args: ActionArgs, click: Click) => Promise<void>;

/**
 * The fix flow. "Fix" in a finding's menu (commands/mutes/menu.ts → start.ts)
 * → a confirmation only the clicker sees → the fix (or the dry run, or a
 * request for a second remediator's approval) → the outcome in the finding's
 * thread for everyone, with Undo for 24 hours. Every decision is the
 * server's: the controls carry only a finding reference, a request id or an
 * action-log id.
 */
export function registerFix(app: BoltApp, deps: Deps, fix: FixDeps): void {
  const handlers: [string, FixHandler][] = [
    [FIX_ACTIONS.cancel, cancelFix],
    [FIX_ACTIONS.apply, applyFix],
    [FIX_ACTIONS.request, requestFix],
    [FIX_ACTIONS.approve, (f, args, click) => decideFix(f, args, click, true)],
    [FIX_ACTIONS.reject, (f, args, click) => decideFix(f, args, click, false)],
    [FIX_ACTIONS.undo, undoFix],
  ];
  for (const [actionId, handle] of handlers) {
    app.action<BlockAction>(actionId, async (args) => {
      await args.ack();
      await handle(fix, args, { body: args.body, client: args.client, respond: args.respond, log: deps.logger });
    });
  }
}
