import { errorMessage } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { digestRunText, digestStartText, NO_DIGEST_TEXT } from '../../src/slack/render/command-answers.js';
import type { Deps, SlashCommandArgs } from '../deps.js';

/** `/audit digest`: auditors only; runs the digest now (or joins the run under way) and says how it went. */
export async function answerDigest(deps: Deps, { command, respond, client }: SlashCommandArgs, log: Logger): Promise<unknown> {
  const auditor = await deps.access.checkAuditor(command.user_id);
  log.info({ allowed: auditor.allowed }, 'digest requested');
  if (!auditor.allowed) return respond({ response_type: 'ephemeral', text: auditor.reason });
  const digest = deps.digest;
  if (!digest) return respond({ response_type: 'ephemeral', text: NO_DIGEST_TEXT });
  await respond({ response_type: 'ephemeral', text: digestStartText(digest.accounts, digest.channel) });
  let text: string;
  try {
    text = digestRunText(await digest.run(command.user_id), digest.channel);
  } catch (error) {
    log.error({ err: errorMessage(error) }, 'the digest failed');
    text = digestRunText({ failed: errorMessage(error) }, digest.channel);
  }
  // A big digest can outlast the command's response_url (30 minutes): then the answer goes to the user's messages with the app.
  return respond({ replace_original: true, response_type: 'ephemeral', text }).catch(() => client.chat.postMessage({ channel: command.user_id, text }));
}
