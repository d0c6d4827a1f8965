import type { Check } from '../../src/audit/types.js';
import { controlsOfCheck, evaluateCompliance, type Framework } from '../../src/compliance/framework.js';
import { errorMessage } from '../../src/errors.js';
import { messageLink, postMessage } from '../../src/slack/post.js';
import { reportPostedText } from '../../src/slack/render/command-answers.js';
import { renderComplianceSummary } from '../../src/slack/render/compliance.js';
import type { Deps } from '../deps.js';
import type { ReportRequest, SharedReports } from './report.js';

/** The checks a framework's view runs: those that cover one of its controls. */
export function complianceChecks(checks: readonly Check[]): Check[] {
  return checks.filter((c) => controlsOfCheck(c).length > 0);
}

/**
 * `/audit <alias> --compliance <framework>`: the framework's per-section
 * summary, in the channel (once per shared run and channel) or only to the
 * requester. Muted findings still fail their control, counted as muted.
 */
export async function postCompliance(deps: Deps, shared: SharedReports, input: ReportRequest, framework: Framework): Promise<void> {
  const { command, respond, client, account, run, log } = input;
  const muted = new Set((await deps.mutes.active(deps.now())).keys());
  const message = renderComplianceSummary(evaluateCompliance(input.result, deps.checks, framework), muted);
  if (input.postIn === 'channel') {
    const { posts } = shared.of(run);
    const key = `${command.channel_id}:compliance:${framework.id}`;
    let post = posts.get(key);
    const first = !post;
    if (!post) {
      post = postMessage(client, command.channel_id, message).catch((error: unknown) => {
        log.warn({ alias: account.alias, err: errorMessage(error) }, 'posting the compliance view in the channel failed; sending it to the requester');
        return undefined;
      });
      posts.set(key, post);
    }
    const posted = await post;
    if (posted) {
      const link = messageLink(command.team_domain, posted.channel, posted.ts);
      await respond({ replace_original: true, response_type: 'ephemeral', text: reportPostedText(account, link, first, undefined) });
      return;
    }
  }
  await respond({ replace_original: true, response_type: 'ephemeral', text: message.text, blocks: message.blocks });
}
