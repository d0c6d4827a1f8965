import { listText, statusText } from '../../src/slack/render/command-answers.js';
import type { Deps, SlashCommandArgs } from '../deps.js';

/** `/audit status`: the audits running. Aliases, account ids and who asked are for auditors only. */
export async function answerStatus(deps: Deps, { command, respond }: SlashCommandArgs): Promise<unknown> {
  const auditor = await deps.access.checkAuditor(command.user_id);
  return respond({ response_type: 'ephemeral', text: auditor.allowed ? statusText(deps.audits.list(), new Date()) : auditor.reason });
}

/** `/audit list`: the accounts this user may audit from this channel. */
export async function answerList(deps: Deps, { command, respond }: SlashCommandArgs): Promise<unknown> {
  // The organization's accounts as they are now (after the acknowledgement: discovery can take seconds).
  await deps.accounts?.refresh({ force: true });
  const accounts = await deps.access.auditableAccounts(command.user_id, command.channel_id);
  return respond({ response_type: 'ephemeral', text: listText(accounts, command.channel_id) });
}
