import { tellClicker } from '../../src/slack/post.js';
import { isConfigMute } from '../../src/store/mutes.js';
import { MUTE_TEXT, renderMuteList } from '../../src/slack/render/mutes.js';
import { mayMute } from '../access.js';
import type { ActionArgs, Deps } from '../deps.js';
import { listMutes } from './list.js';

/** "Unmute" in `/audit mutes`: the value names the mute (and the list's filter, to redraw it); the server decides. */
export async function unmute(deps: Deps, { body, action, client, respond }: ActionArgs): Promise<void> {
  const userId = body.user.id;
  const [muteId = '', filter = ''] = (action.type === 'button' && typeof action.value === 'string' ? action.value : '').split(' ');
  const may = await mayMute(deps.access, userId);
  if (!may.allowed) return tellClicker(client, body, respond, may.reason, deps.logger);
  const ended = await deps.mutes.unmute(muteId, userId, deps.now());
  deps.logger.info({ user: userId, mute: muteId.slice(0, 40), unmuted: ended !== undefined }, 'unmute requested');
  const alias = deps.config.accounts.some((a) => a.alias === filter) ? filter : undefined;
  const fromConfig = !ended && (await deps.store.mutes({ id: muteId })).some((m) => isConfigMute(m));
  const note = ended ? MUTE_TEXT.unmuted : fromConfig ? MUTE_TEXT.fromConfig : MUTE_TEXT.alreadyEnded;
  const [first] = renderMuteList(await listMutes(deps, alias), alias, note);
  if (respond && body.response_url) await respond({ response_type: 'ephemeral', replace_original: true, text: first!.text, blocks: first!.blocks });
  else await client.chat.postMessage({ channel: userId, text: note });
}
