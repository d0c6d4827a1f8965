import { MUTE_TEXT, renderMuteList, type ListedMute } from '../../src/slack/render/mutes.js';
import { mayMute } from '../access.js';
import type { Deps, SlashCommandArgs } from '../deps.js';
import { aliasOf } from '../findings.js';

/** The mutes in force, of one account (by alias) or all. */
export async function listMutes(deps: Deps, alias: string | undefined): Promise<ListedMute[]> {
  const accountId = alias === undefined ? undefined : deps.config.accounts.find((a) => a.alias === alias)?.accountId;
  const [findings, active] = await Promise.all([deps.store.findings(accountId === undefined ? {} : { accountId }), deps.mutes.active(deps.now())]);
  const states = new Map(findings.map((f) => [f.fingerprint, f]));
  const checks = new Map(deps.checks.map((c) => [c.id, c]));
  return [...active.values()]
    .filter((m) => accountId === undefined || m.accountId === accountId)
    .map((mute) => {
      const state = states.get(mute.fingerprint);
      return { mute, state, alias: aliasOf(deps, mute.accountId, undefined), check: state ? checks.get(state.checkId) : undefined };
    });
}

/** `/audit mutes [alias]`: for those who may mute, the mutes in force with Unmute buttons (only to them). */
export async function answerMuteList(deps: Deps, { command, respond }: SlashCommandArgs, alias: string | undefined): Promise<unknown> {
  const may = await mayMute(deps.access, command.user_id);
  if (!may.allowed) return respond({ response_type: 'ephemeral', text: may.reason });
  const account = alias === undefined ? undefined : deps.config.accounts.find((a) => a.alias === alias);
  if (alias !== undefined && !account) {
    return respond({ response_type: 'ephemeral', text: MUTE_TEXT.unknownAccount(alias, command.command) });
  }
  for (const message of renderMuteList(await listMutes(deps, account?.alias), account?.alias)) {
    await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
  }
}
