import type { ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import { compareFindings } from '../../audit/order.js';
import type { AuditResult, Check, CheckError, Finding, Severity } from '../../audit/types.js';
import { GLOBAL_REGION, SEVERITIES, severityRank } from '../../audit/types.js';
import { formatCsv, severityCounts } from '../../terminal/format.js';
import { findingRef } from '../../store/mutes.js';
import {
  blockSize,
  context,
  DIVIDER,
  fileStamp,
  DETAILS_PREFIX,
  FIX_PREFIX,
  header,
  jsonSize,
  packSections,
  section,
  SLACK_LIMITS,
  UNLIMITED,
  type Room,
  type SlackMessage,
  type Unit,
} from './blocks.js';
import { inlineMrkdwn, maskAccessKeyIds, plainText, plural, slackDate, truncateMrkdwn } from './mrkdwn.js';

export { SLACK_LIMITS, type SlackMessage } from './blocks.js';

/** The full findings list, for `files.uploadV2` in the report's thread. */
export interface ReportCsv {
  filename: string;
  content: string;
  title: string;
}

export interface RenderedReport {
  /** The message to post (in the channel, or ephemeral). */
  main: SlackMessage;
  /** Thread replies with what did not fit in `main`, in order; empty when everything fits. */
  followUps: SlackMessage[];
  /** Every finding at or above `minSeverity`; null when everything fits in `main`. */
  csv: ReportCsv | null;
  /** Findings listed in `main`. */
  shown: number;
  /** Findings at or above `minSeverity` (what `csv` holds). */
  total: number;
}

export interface RenderReportInput {
  result: AuditResult;
  /** Titles and descriptions of the checks, by id (ALL_CHECKS). */
  checks: readonly Check[];
  alias: string;
  /** Replaces the computed "3 regions (…)" in the context line, e.g. "all 17 enabled regions". */
  regionsLabel?: string;
  /** Findings below it are left out of everything; the counts say how many. */
  minSeverity?: Severity;
  /** Findings muted in the history, left out before rendering: shown as "N muted". */
  muted?: number;
  /** The history's id of this scan: finding sections get a "Mute…" menu whose entries name the finding by scan id and fingerprint. Without it, no menu. */
  scanId?: string;
  /** Whether a fix is offered for a check's findings in this account: the menu then lists them under "Fix" too. */
  fixable?: (fix: string) => boolean;
  /** Where the rest of a long report goes: the message's thread (default), or the requester's messages with the app. */
  overflowTo?: 'thread' | 'direct-message';
}

/** A finding or error line stays readable at a glance. */
const LINE_MAX = 300;
const RESOURCE_MAX = 120;
const ALIAS_MAX = 80;
const WHY_MAX = 250;
/** When findings overflow too, errors get at most this much of `main`; the rest is for findings. */
const ERROR_ROOM = { blocks: 8, chars: 9_000 };
const REGION_NAMES_MAX = 6;

export const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

/** Renders one audit as a Slack message that respects Block Kit limits, plus thread follow-ups and a CSV when it does not all fit. */
export function renderReport(input: RenderReportInput): RenderedReport {
  const { result, minSeverity } = input;
  const checks = new Map(input.checks.map((c) => [c.id, c]));
  const findings = result.findings.filter((f) => minSeverity === undefined || severityRank(f.severity) <= severityRank(minSeverity)).sort(compareFindings);
  const errors = [...result.errors].sort(compareErrors);
  const hidden = result.findings.length - findings.length;
  const alias = inlineMrkdwn(input.alias, ALIAS_MAX);
  const accountId = inlineMrkdwn(result.account.accountId, 40);

  const text = summaryText(alias, accountId, findings, errors.length);
  const head: KnownBlock[] = [
    header(`Audit of ${input.alias} (${result.account.accountId})`),
    context('context', contextLine(input)),
    section('counts', countsText(findings, errors.length, hidden, minSeverity)),
  ];
  const findingUnits = findingLines(findings, checks, input.scanId, input.fixable);
  const errorUnits = errorLines(errors);

  const everything = assemble(head, packSections(findingUnits, 0, UNLIMITED, 'findings').blocks, packSections(errorUnits, 0, UNLIMITED, 'errors').blocks);
  const whole = { text, blocks: everything };
  if (everything.length <= SLACK_LIMITS.blocksPerMessage && jsonSize(whole) <= SLACK_LIMITS.messageJson) {
    return { main: whole, followUps: [], csv: null, shown: findings.length, total: findings.length };
  }

  // It does not fit: errors first (they must be in main), then as many findings as the rest allows.
  const reserved = [moreNotice(findings.length, input.overflowTo), errorsMore(errors.length)];
  let room: Room = {
    blocks: SLACK_LIMITS.blocksPerMessage - head.length - 2 /* dividers */ - reserved.length,
    chars: SLACK_LIMITS.messageJson - jsonSize({ text, blocks: head }) - 2 * (blockSize(DIVIDER) + 1) - reserved.reduce((n, b) => n + blockSize(b) + 1, 0),
  };
  let errorBlocks: KnownBlock[] = [];
  let errorsCut = false;
  if (errorUnits.length > 0) {
    const errorRoom =
      findingUnits.length > 0 ? { blocks: Math.min(room.blocks - 1, ERROR_ROOM.blocks), chars: Math.min(room.chars / 2, ERROR_ROOM.chars) } : room;
    const packed = packSections(errorUnits, 0, errorRoom, 'errors');
    errorsCut = packed.next < errorUnits.length;
    errorBlocks = errorsCut ? [...packed.blocks, errorsMore(errorUnits.length - packed.next)] : packed.blocks;
    room = { blocks: room.blocks - packed.blocks.length, chars: room.chars - packed.chars };
  }
  const packedFindings = packSections(findingUnits, 0, room, 'findings');
  const shown = packedFindings.next;
  const main: SlackMessage = {
    text,
    blocks: assemble(head, packedFindings.blocks, errorBlocks, shown < findings.length ? moreNotice(findings.length - shown, input.overflowTo) : undefined),
  };

  return {
    main,
    followUps: followUpMessages(alias, accountId, findingUnits.slice(shown), errorsCut ? errorUnits : []),
    csv: reportCsv(input, findings, checks),
    shown,
    total: findings.length,
  };
}

// ---- text of the main message -------------------------------------------------

function summaryText(alias: string, accountId: string, findings: readonly Finding[], errorCount: number): string {
  const counts = severityCounts(findings);
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  let summary = parts.length > 0 ? parts.join(', ') : errorCount > 0 ? 'no findings in what could be checked' : 'no findings';
  if (errorCount > 0) summary += `; ${errorCount} could not be checked`;
  return `Audit of ${alias} (${accountId}): ${summary}`;
}

function contextLine(input: RenderReportInput): string {
  const { result } = input;
  const regions = result.scope.regions.filter((r) => r !== GLOBAL_REGION);
  let regionText: string;
  if (input.regionsLabel !== undefined) regionText = inlineMrkdwn(input.regionsLabel, 300);
  else if (regions.length === 0) regionText = result.scope.regions.includes(GLOBAL_REGION) ? 'global checks only' : 'no regions';
  else if (regions.length <= REGION_NAMES_MAX) regionText = `${plural(regions.length, 'region')} (${regions.map((r) => inlineMrkdwn(r, 40)).join(', ')})`;
  else regionText = plural(regions.length, 'region');

  const parts = [
    `${(result.stats.durationMs / 1000).toFixed(1)} s`,
    regionText,
    `scanned ${slackDate(new Date(result.startedAt), undefined, result.startedAt)}`,
    plural(result.stats.apiCalls, 'API call'),
  ];
  const skipped = result.scope.skippedRegions;
  if (skipped.length > 0) {
    const names = skipped.length <= REGION_NAMES_MAX ? `: ${skipped.map((s) => inlineMrkdwn(s.region, 40)).join(', ')}` : '';
    parts.push(`${skipped.length} skipped (not enabled)${names}`);
  }
  const notOffered = result.scope.skippedChecks ?? [];
  if (notOffered.length > 0) {
    const names =
      notOffered.length <= REGION_NAMES_MAX ? `: ${notOffered.map((s) => `${inlineMrkdwn(s.checkId, 60)} in ${inlineMrkdwn(s.region, 40)}`).join(', ')}` : '';
    parts.push(`${plural(notOffered.length, 'check')} not available there${names}`);
  }
  if (input.muted !== undefined && input.muted > 0) parts.push(`${input.muted.toLocaleString('en-US')} muted`);
  return truncateMrkdwn(parts.join(' · '), SLACK_LIMITS.contextText);
}

function countsText(findings: readonly Finding[], errorCount: number, hidden: number, minSeverity: Severity | undefined): string {
  const lines: string[] = [];
  if (findings.length === 0) {
    lines.push(errorCount > 0 ? 'No findings in what could be checked.' : `:white_check_mark: No findings${minSeverity ? ` at ${minSeverity} or above` : ''}`);
  } else {
    const counts = severityCounts(findings);
    const shownSeverities = SEVERITIES.filter((s) => minSeverity === undefined || severityRank(s) <= severityRank(minSeverity));
    lines.push(`*${plural(findings.length, 'finding')}*: ${shownSeverities.map((s) => `${SEVERITY_EMOJI[s]} ${counts[s]} ${s}`).join('   ')}`);
  }
  if (hidden > 0 && minSeverity !== undefined) lines.push(`_${plural(hidden, 'finding')} below ${minSeverity} hidden by the severity filter_`);
  if (errorCount > 0) lines.push(`:warning: ${errorCount.toLocaleString('en-US')} could not be checked (see below): these are not passes`);
  return lines.join('\n');
}

function moreNotice(count: number, to: RenderReportInput['overflowTo'] = 'thread'): SectionBlock {
  const where = to === 'direct-message' ? 'in your messages with the app' : 'in the thread';
  return section('more', `…and ${plural(count, 'more finding')}: the full list is ${where} (CSV attached)`);
}

function errorsMore(count: number): ContextBlock {
  return context('errors-more', `…and ${count.toLocaleString('en-US')} more that could not be checked: all of them are listed in the thread`);
}

// ---- lines ---------------------------------------------------------------------

function findingLines(
  findings: readonly Finding[],
  checks: ReadonlyMap<string, Check>,
  scanId: string | undefined,
  fixable?: (fix: string) => boolean,
): Unit[] {
  const units: Unit[] = [];
  for (let i = 0; i < findings.length; ) {
    const { severity, checkId } = findings[i]!;
    let end = i;
    while (end < findings.length && findings[end]!.severity === severity && findings[end]!.checkId === checkId) end++;
    const check = checks.get(checkId);
    const title = `${SEVERITY_EMOJI[severity]} *${inlineMrkdwn(check?.title ?? checkId, SLACK_LIMITS.titleText)}*`;
    const id = `\`${inlineMrkdwn(checkId, 100)}\``;
    const why = check ? firstSentence(check.description) : '';
    const header = `${title} (${end - i}) · ${id}${why ? `\n${why.includes('_') ? why : `_${why}_`}` : ''}`;
    const continued = `${title} (continued)`;
    for (let j = i; j < end; j++) {
      const f = findings[j]!;
      const unit: Unit = { header, continued, first: j === i, line: findingLine(f) };
      if (scanId !== undefined) {
        const ref = findingRef(scanId, f.fingerprint);
        const label = muteLabel(f.resource.id, f.region);
        unit.details = { value: `${DETAILS_PREFIX}${ref}`, label };
        unit.mute = { value: ref, label };
        if (f.fix && fixable?.(f.fix)) unit.fix = { value: `${FIX_PREFIX}${ref}`, label };
      }
      units.push(unit);
    }
    i = end;
  }
  return units;
}

/** A "Mute…" menu entry: the resource, and the region when it is not global (the menu sits next to the check's lines). */
export function muteLabel(resourceId: string, region: string): string {
  return region === GLOBAL_REGION ? resourceId : `${resourceId} · ${region}`;
}

function findingLine(f: Finding): string {
  const prefix = `• ${inlineMrkdwn(f.resource.id, RESOURCE_MAX)} · ${inlineMrkdwn(f.region, 40)} — `;
  return prefix + inlineMrkdwn(f.message, LINE_MAX - prefix.length);
}

function errorLines(errors: readonly CheckError[]): Unit[] {
  const header = `:warning: *Could not check* (${errors.length.toLocaleString('en-US')}): these are not passes`;
  const continued = ':warning: *Could not check* (continued)';
  return errors.map((e, i) => {
    const resource = e.resource !== undefined ? ` (${inlineMrkdwn(e.resource, RESOURCE_MAX)})` : '';
    const prefix = `• ${inlineMrkdwn(e.checkId, 100)} in ${inlineMrkdwn(e.region, 40)}${resource}: ${inlineMrkdwn(e.code, 80)}: `;
    return { header, continued, first: i === 0, line: prefix + inlineMrkdwn(e.message, LINE_MAX - prefix.length) };
  });
}

/** The check's one-line "why": the first sentence of its description. */
function firstSentence(description: string): string {
  const text = description.trim();
  for (const end of text.matchAll(/[.!?](?=\s|$)/g)) {
    // "e.g. Shodan" does not end a sentence.
    if (/\b(?:e\.g|i\.e|etc|vs|cf)$/i.test(text.slice(0, end.index))) continue;
    return inlineMrkdwn(text.slice(0, end.index + 1), WHY_MAX);
  }
  return inlineMrkdwn(text, WHY_MAX);
}

// ---- packing -------------------------------------------------------------------

function assemble(head: readonly KnownBlock[], findingBlocks: readonly KnownBlock[], errorBlocks: readonly KnownBlock[], notice?: KnownBlock): KnownBlock[] {
  return [
    ...head,
    ...(findingBlocks.length > 0 ? [DIVIDER, ...findingBlocks] : []),
    ...(errorBlocks.length > 0 ? [DIVIDER, ...errorBlocks] : []),
    ...(notice ? [notice] : []),
  ];
}

/** Thread replies: the findings main had no room for, then (when main could not list them all) every error. */
function followUpMessages(alias: string, accountId: string, findingUnits: readonly Unit[], errorUnits: readonly Unit[]): SlackMessage[] {
  const pages: KnownBlock[][] = [];
  // Sized for the longest part numbers, so the real context line always fits what was reserved.
  const reserve = jsonSize({ text: continuedText(alias, accountId, 9999, 9999), blocks: [continuedContext(alias, accountId, 9999, 9999)] });
  let fi = 0;
  let ei = 0;
  while (fi < findingUnits.length || ei < errorUnits.length) {
    const blocks: KnownBlock[] = [];
    let room: Room = { blocks: SLACK_LIMITS.blocksPerMessage - 1, chars: SLACK_LIMITS.messageJson - reserve };
    if (fi < findingUnits.length) {
      const packed = packSections(findingUnits, fi, room, 'findings');
      blocks.push(...packed.blocks);
      fi = packed.next;
      room = { blocks: room.blocks - packed.blocks.length, chars: room.chars - packed.chars };
    }
    if (fi >= findingUnits.length && ei < errorUnits.length) {
      const divider = blocks.length > 0 ? 1 : 0;
      const packed = packSections(errorUnits, ei, { blocks: room.blocks - divider, chars: room.chars - divider * (blockSize(DIVIDER) + 1) }, 'errors');
      if (packed.blocks.length > 0) blocks.push(...(divider ? [DIVIDER] : []), ...packed.blocks);
      ei = packed.next;
    }
    if (blocks.length === 0) throw new Error('report line larger than a whole Slack message'); // cannot happen: lines are capped
    pages.push(blocks);
  }
  return pages.map((blocks, i) => ({
    text: continuedText(alias, accountId, i + 1, pages.length),
    blocks: [continuedContext(alias, accountId, i + 1, pages.length), ...blocks],
  }));
}

function continuedText(alias: string, accountId: string, part: number, parts: number): string {
  return `Audit of ${alias} (${accountId}), continued (${part}/${parts})`;
}

function continuedContext(alias: string, accountId: string, part: number, parts: number): ContextBlock {
  return context('continued', `Audit of ${alias} (${accountId}), continued · part ${part} of ${parts}`);
}

// ---- CSV -----------------------------------------------------------------------

function reportCsv(input: RenderReportInput, findings: Finding[], checks: ReadonlyMap<string, Check>): ReportCsv {
  const { result } = input;
  const safeAlias = input.alias.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 64) || 'account';
  return {
    filename: `audit-${safeAlias}-${fileStamp(result.startedAt)}.csv`,
    content: maskAccessKeyIds(formatCsv({ ...result, findings }, checks)),
    title: plainText(`Audit of ${input.alias} (${result.account.accountId}): ${plural(findings.length, 'finding')}`, 250),
  };
}

// ---- blocks --------------------------------------------------------------------

function compareErrors(a: CheckError, b: CheckError): number {
  return a.checkId.localeCompare(b.checkId) || a.region.localeCompare(b.region) || (a.resource ?? '').localeCompare(b.resource ?? '');
}
