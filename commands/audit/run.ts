import type { RespondFn } from '@slack/bolt';
import type { RunningAudit } from '../../src/audit/service.js';
import type { AuditProgress, AuditResult } from '../../src/audit/types.js';
import { suggestAliases, type AccountConfig } from '../../src/config.js';
import { errorMessage } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { auditFailedText, auditProgressText, auditStartText, noComplianceChecksText, unknownAliasText } from '../../src/slack/render/command-answers.js';
import type { Deps, SlashCommandArgs } from '../deps.js';
import type { ParsedCommand } from './parse.js';
import { FRAMEWORKS } from '../../src/compliance/index.js';
import { complianceChecks, postCompliance } from './compliance.js';
import { postReport, type ReportRequest, type SharedReports } from './report.js';

/** response_url answers at most 5 times in 30 minutes: the first, two progress updates, the outcome, one spare. */
const MAX_PROGRESS_UPDATES = 2;

export { SharedReports } from './report.js';

/** `/audit <alias> [services] [--severity]`: who may audit comes first (nobody else learns which aliases exist), then the account, then where the report goes. */
export async function answerAudit(
  deps: Deps,
  { command, respond, client }: SlashCommandArgs,
  parsed: Extract<ParsedCommand, { kind: 'audit' }>,
  shared: SharedReports,
  log: Logger,
): Promise<unknown> {
  const { access, config } = deps;
  const auditor = await access.checkAuditor(command.user_id);
  if (!auditor.allowed) {
    log.info({ alias: parsed.alias, allowed: false }, 'audit requested');
    return respond({ response_type: 'ephemeral', text: auditor.reason });
  }
  let account = config.accounts.find((a) => a.alias === parsed.alias);
  if (!account && deps.accounts) {
    // Perhaps an account the organization gained since the last discovery (asked again at most every refreshMinutes).
    await deps.accounts.refresh();
    account = config.accounts.find((a) => a.alias === parsed.alias);
  }
  if (!account) {
    const close = suggestAliases(
      parsed.alias,
      config.accounts.map((a) => a.alias),
    );
    log.info({ alias: parsed.alias }, 'unknown alias');
    return respond({ response_type: 'ephemeral', text: unknownAliasText(parsed.alias, close, command.command) });
  }
  const decision = await access.decide(command.user_id, command.channel_id, account);
  log.info(
    { alias: account.alias, accountId: account.accountId, allowed: decision.allowed, ...(decision.allowed ? { postIn: decision.postIn } : {}) },
    'audit requested',
  );
  if (!decision.allowed) return respond({ response_type: 'ephemeral', text: decision.reason });
  const framework = parsed.compliance ? FRAMEWORKS.get(parsed.compliance) : undefined;
  const byService = parsed.services.length ? deps.checks.filter((c) => parsed.services.includes(c.service)) : deps.checks;
  const selected = framework ? complianceChecks(byService) : byService;
  if (selected.length === 0) return respond({ response_type: 'ephemeral', text: noComplianceChecksText(parsed.services) });
  const { run, joined } = deps.audits.start(account, selected, command.user_id);
  // (`run.scanId` is set once the history recorded the scan, before `run.result` resolves.)
  await respond({ response_type: 'ephemeral', text: auditStartText(account, joined) });
  const result = await awaitWithProgress(deps, run, account, respond, log);
  if (!result) return;
  const request: ReportRequest = { command, respond, client, account, selected, run, result, postIn: decision.postIn, log };
  if (framework) return postCompliance(deps, shared, request, framework);
  if (parsed.minSeverity) request.minSeverity = parsed.minSeverity;
  return postReport(deps, shared, request);
}

/** Waits for the audit, updating the requester's message as it goes; undefined (and the requester told) when it could not run. */
async function awaitWithProgress(deps: Deps, run: RunningAudit, account: AccountConfig, respond: RespondFn, log: Logger): Promise<AuditResult | undefined> {
  // At most every `progressIntervalMs`, at most MAX_PROGRESS_UPDATES times (response_url allows 5 posts).
  let updates = 0;
  let last = Date.now();
  let pending: Promise<unknown> = Promise.resolve();
  const unsubscribe = run.onProgress((p: AuditProgress) => {
    if (updates >= MAX_PROGRESS_UPDATES || p.total === 0 || p.done === p.total || Date.now() - last < deps.progressIntervalMs) return;
    updates++;
    last = Date.now();
    const text = auditProgressText(account, p.done, p.total);
    // Chained: an earlier update arriving late must not replace a later one (or the report).
    pending = pending
      .then(() => respond({ replace_original: true, response_type: 'ephemeral', text }))
      .catch((error: unknown) => log.warn({ err: errorMessage(error) }, 'progress update failed'));
  });
  const outcome = await run.result.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  // No progress update may land after this: the last one is waited for before the outcome is told.
  unsubscribe();
  await pending;
  if ('result' in outcome) return outcome.result;
  log.warn({ alias: account.alias, err: errorMessage(outcome.error) }, 'audit could not run');
  await respond({ replace_original: true, response_type: 'ephemeral', text: auditFailedText(account, errorMessage(outcome.error)) });
  return undefined;
}
