import type { KnownBlock } from '@slack/types';
import { CONTROL_STATUSES, STATUS_LABEL, type ComplianceReport, type ControlResult, type ControlStatus } from '../../compliance/framework.js';
import { context, DIVIDER, header, section, SLACK_LIMITS, type SlackMessage } from './blocks.js';
import { inlineMrkdwn, plural, truncateMrkdwn } from './mrkdwn.js';

const STATUS_EMOJI: Record<ControlStatus, string> = {
  fail: ':red_circle:',
  error: ':warning:',
  pass: ':white_check_mark:',
  'not-run': ':heavy_minus_sign:',
  'not-covered': ':white_circle:',
};

function totalsLine(totals: Record<ControlStatus, number>): string {
  return CONTROL_STATUSES.filter((s) => totals[s] > 0)
    .map((s) => `${STATUS_EMOJI[s]} ${totals[s]} ${STATUS_LABEL[s]}`)
    .join(' · ');
}

function controlLine(c: ControlResult, muted: ReadonlySet<string>): string {
  const title = inlineMrkdwn(c.title, SLACK_LIMITS.titleText);
  if (c.status === 'error') {
    const e = c.errors[0];
    return `• \`${c.id}\` ${title} — could not check${e ? `: ${inlineMrkdwn(e.code, 60)}` : ''}`;
  }
  const mutedHere = c.findings.filter((f) => muted.has(f.fingerprint)).length;
  return `• \`${c.id}\` ${title} — ${plural(c.findings.length, 'finding')}${mutedHere ? ` (${mutedHere} muted)` : ''}`;
}

/** Lines cut to one section, the rest counted. */
function fitLines(lead: string, lines: readonly string[]): string {
  let text = lead;
  for (const [i, line] of lines.entries()) {
    const more = `\n…and ${lines.length - i} more`;
    if (text.length + 1 + line.length + more.length > SLACK_LIMITS.sectionText) return text + more;
    text += `\n${line}`;
  }
  return truncateMrkdwn(text, SLACK_LIMITS.sectionText);
}

/**
 * `/audit <alias> --compliance cis-5.0`: per section of the framework its
 * totals and the controls that fail (with how many findings, and how many of
 * them are muted: a mute is an accepted risk, not a pass) or could not be
 * checked. One message; the findings themselves are in the report and the
 * terminal's view.
 */
export function renderComplianceSummary(report: ComplianceReport, muted: ReadonlySet<string> = new Set()): SlackMessage {
  const { framework, account } = report;
  const name = `${framework.name} v${framework.version}`;
  const blocks: KnownBlock[] = [
    header(`${name}: ${account.alias}`),
    context(
      'summary',
      `${inlineMrkdwn(account.alias, 80)} (${account.accountId}) · ${plural(report.controls.length, 'control')}: ${totalsLine(report.totals)}`,
    ),
  ];
  for (const s of report.sections) {
    const controls = report.controls.filter((c) => c.section === s.id && (c.status === 'fail' || c.status === 'error'));
    blocks.push(
      section(
        `section-${s.id}`,
        fitLines(
          `*${s.id} ${inlineMrkdwn(s.title, 100)}* — ${totalsLine(s.totals)}`,
          controls.map((c) => controlLine(c, muted)),
        ),
      ),
    );
  }
  const manual = report.controls.filter((c) => c.status === 'not-covered' && c.assessment === 'manual').length;
  blocks.push(
    DIVIDER,
    context(
      'notes',
      [
        manual ? `${manual} of the not covered controls are manual: a person checks them.` : '',
        report.totals['not-run'] ? 'Not run: their checks were left out (services named in the command).' : '',
        `Each control with its findings: \`npx aws-audit-bot audit ${inlineMrkdwn(account.alias, 80)} --compliance ${framework.id}\`.`,
      ]
        .filter(Boolean)
        .join(' '),
    ),
  );
  const fails = report.totals.fail;
  return {
    text: `${name} for ${account.alias}: ${fails ? `${plural(fails, 'control')} fail` : 'no control fails'}${report.totals.error ? `, ${report.totals.error} could not be checked` : ''}`,
    blocks,
  };
}
