import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { errorMessage } from '../../src/errors.js';
import { postLong } from '../../src/slack/post.js';
import { ACCOUNT_GONE_TEXT, auditFailedText } from '../../src/slack/render/command-answers.js';
import { renderReport } from '../../src/slack/render/report.js';
import type { Deps } from '../deps.js';
import { fixableIn, withoutMuted } from '../findings.js';
import { publishHome } from './publish.js';

/** "Audit now" on the Home tab (acknowledged by the caller): the report goes to the user's messages with the app. */
export async function auditNow(deps: Deps, { body, action, client }: Omit<SlackActionMiddlewareArgs, 'ack'> & AllMiddlewareArgs): Promise<void> {
  const userId = body.user.id;
  // The button only names an alias: the server looks it up and decides again.
  const alias = 'value' in action && typeof action.value === 'string' ? action.value : '';
  const account = deps.config.accounts.find((a) => a.alias === alias);
  const check = account ? await deps.access.checkAuditor(userId) : ({ allowed: false, reason: ACCOUNT_GONE_TEXT } as const);
  deps.logger.info({ user: userId, alias, allowed: check.allowed, via: 'home' }, 'audit requested');
  if (!account || !check.allowed) {
    await client.chat.postMessage({ channel: userId, text: check.allowed ? ACCOUNT_GONE_TEXT : check.reason });
    return;
  }
  const { run } = deps.audits.start(account, deps.checks, userId);
  await publishHome(deps, client, userId).catch(() => undefined);
  await deps.track(
    (async () => {
      try {
        const result = await run.result;
        const unmuted = await withoutMuted(deps, result);
        const report = renderReport({
          result: unmuted.result,
          checks: deps.checks,
          alias: account.alias,
          muted: unmuted.muted,
          ...(run.scanId !== undefined ? { scanId: run.scanId } : {}),
          ...fixableIn(deps, account.accountId),
        });
        await postLong(client, userId, report, deps.logger);
      } catch (error) {
        await client.chat.postMessage({ channel: userId, text: auditFailedText(account, errorMessage(error)) });
      }
      await publishHome(deps, client, userId).catch(() => undefined);
    })(),
  );
}
