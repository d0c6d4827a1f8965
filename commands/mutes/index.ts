import type { BlockAction, ViewSubmitAction } from '@slack/bolt';
import { MUTE_ACTION } from '../../src/slack/render/blocks.js';
import { MUTE_VIEW, UNMUTE_ACTION } from '../../src/slack/render/mutes.js';
import type { BoltApp, Deps } from '../deps.js';
import { openMuteMenu } from './menu.js';
import { submitMute } from './submit.js';
import { unmute } from './unmute.js';

/** Muting: the "Mute…" menu on findings (it also starts fixes), the mute dialog's submission, Unmute in `/audit mutes`. */
export function registerMutes(app: BoltApp, deps: Deps): void {
  app.action<BlockAction>(MUTE_ACTION, async (args) => {
    await args.ack();
    await openMuteMenu(deps, args);
  });
  // (The dialog's own checks are answered in the acknowledgement: submitMute acknowledges.)
  app.view<ViewSubmitAction>(MUTE_VIEW, async (args) => submitMute(deps, args));
  app.action<BlockAction>(UNMUTE_ACTION, async (args) => {
    await args.ack();
    await unmute(deps, args);
  });
}
