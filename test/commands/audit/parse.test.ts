import { describe, expect, it } from 'vitest';
import { helpText, MAX_COMMAND_LENGTH, normalizeCommandText, parseAuditCommand, type ParsedCommand } from '../../../commands/audit/parse.js';

const SERVICES = ['iam', 'ec2', 'vpc', 's3', 'cloudtrail'] as const;

function parse(text: string): ParsedCommand {
  return parseAuditCommand(text, SERVICES);
}

function invalidMessage(text: string): string {
  const parsed = parse(text);
  if (parsed.kind !== 'invalid') throw new Error(`expected "${text}" to be invalid, got ${JSON.stringify(parsed)}`);
  return parsed.message;
}

/** What Slack would render as a link, mention or broadcast: `<` or `>` outside an entity. */
function hasRawAngle(mrkdwn: string): boolean {
  return /[<>]/.test(mrkdwn);
}

describe('parseAuditCommand', () => {
  it.each<[string, ParsedCommand]>([
    ['', { kind: 'help' }],
    ['   ', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['--help', { kind: 'help' }],
    ['prod -h', { kind: 'help' }],
    ['list', { kind: 'list' }],
    ['List', { kind: 'list' }],
    ['status', { kind: 'status' }],
    ['digest', { kind: 'digest' }],
    ['mutes', { kind: 'mutes' }],
    ['mutes Prod', { kind: 'mutes', alias: 'prod' }],
    ['prod', { kind: 'audit', alias: 'prod', services: [] }],
    ['Prod-EU', { kind: 'audit', alias: 'prod-eu', services: [] }],
    ['prod iam', { kind: 'audit', alias: 'prod', services: ['iam'] }],
    // Canonical order of the known list, duplicates dropped, any case, commas allowed.
    ['prod s3 IAM iam s3', { kind: 'audit', alias: 'prod', services: ['iam', 's3'] }],
    ['prod s3,iam, ec2', { kind: 'audit', alias: 'prod', services: ['iam', 'ec2', 's3'] }],
    ['prod --severity high', { kind: 'audit', alias: 'prod', services: [], minSeverity: 'high' }],
    ['prod --severity=critical', { kind: 'audit', alias: 'prod', services: [], minSeverity: 'critical' }],
    ['prod --SEVERITY=Medium iam', { kind: 'audit', alias: 'prod', services: ['iam'], minSeverity: 'medium' }],
    ['--severity low prod vpc', { kind: 'audit', alias: 'prod', services: ['vpc'], minSeverity: 'low' }],
    ['prod iam --severity info cloudtrail', { kind: 'audit', alias: 'prod', services: ['iam', 'cloudtrail'], minSeverity: 'info' }],
    ['prod --severity high --severity=high', { kind: 'audit', alias: 'prod', services: [], minSeverity: 'high' }],
  ])('parses %j', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it.each<[string, ParsedCommand]>([
    // Non-breaking, narrow, ideographic and zero-width spaces from phones and rich-text pasting.
    ['prod\u00a0iam\u202fs3', { kind: 'audit', alias: 'prod', services: ['iam', 's3'] }],
    ['\u3000prod\u2003\u2003ec2\t\n', { kind: 'audit', alias: 'prod', services: ['ec2'] }],
    ['pr\u200bod', { kind: 'audit', alias: 'prod', services: [] }],
    // Smart quotes and autocorrected dashes.
    ['\u201cprod\u201d \u2018iam\u2019', { kind: 'audit', alias: 'prod', services: ['iam'] }],
    ['prod \u2014severity high', { kind: 'audit', alias: 'prod', services: [], minSeverity: 'high' }],
    ['prod \u2013severity=\u201ccritical\u201d', { kind: 'audit', alias: 'prod', services: [], minSeverity: 'critical' }],
    ['prod --severity="low"', { kind: 'audit', alias: 'prod', services: [], minSeverity: 'low' }],
    // Full-width letters typed with an IME.
    ['\uff50\uff52\uff4f\uff44', { kind: 'audit', alias: 'prod', services: [] }],
  ])('normalises %j', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it('keeps keywords ahead of accounts of the same name', () => {
    expect(parseAuditCommand('list', ['iam'])).toEqual({ kind: 'list' });
  });

  it('refuses an unknown service and lists the valid ones', () => {
    const message = invalidMessage('prod iam rds');
    expect(message).toContain('`rds` is not a service');
    for (const s of SERVICES) expect(message).toContain(`\`${s}\``);
  });

  it.each([
    ['prod --severity', '`--severity` needs a value'],
    ['prod --severity=', '`--severity` needs a value'],
    ['prod --severity --verbose', '`--severity` needs a value'],
    ['prod --severity urgent', '`urgent` is not a severity'],
    ['prod --severity=HIGHEST', '`HIGHEST` is not a severity'],
    ['prod --severity high --severity=low', 'given twice'],
    ['prod --verbose', '`--verbose` is not an option'],
    ['prod -s high', '`-s` is not an option'],
    ['prod --region=eu-west-1', '`--region` is not an option'],
    ['--severity high', 'Name the account to audit'],
    ['list prod', '`/audit list` takes nothing after it'],
    ['status now', '`/audit status` takes nothing after it'],
    ['digest now', '`/audit digest` takes nothing after it'],
    ['mutes prod dev', 'at most one account alias'],
    ['mutes --all', 'at most one account alias'],
    ['prod --compliance', '`--compliance` needs a framework: `cis-5.0`'],
    ['prod --compliance pci', '`pci` is not a framework. Use `cis-5.0`'],
    ['prod --compliance cis-5.0 --severity high', '`--compliance` judges every finding of a control: leave out `--severity`'],
    ['prod --bogus', 'The options are `--severity &lt;min&gt;`'],
  ])('refuses %j', (text, expected) => {
    expect(invalidMessage(text)).toContain(expected);
  });

  it('takes --compliance with a framework, in any case and after an equals sign', () => {
    expect(parse('prod --compliance cis-5.0')).toEqual({ kind: 'audit', alias: 'prod', services: [], compliance: 'cis-5.0' });
    expect(parse('prod iam —compliance=CIS-5.0')).toEqual({ kind: 'audit', alias: 'prod', services: ['iam'], compliance: 'cis-5.0' });
  });

  it('lists every severity when the value is wrong', () => {
    expect(invalidMessage('prod --severity x')).toContain('`critical`, `high`, `medium`, `low`, `info`');
  });

  it(`refuses input longer than ${MAX_COMMAND_LENGTH} characters without echoing it`, () => {
    const ok = `prod${' iam'.repeat(124)}`;
    expect(ok.length).toBe(MAX_COMMAND_LENGTH);
    expect(parse(ok).kind).toBe('audit');
    const long = `prod <!channel> ${'x'.repeat(MAX_COMMAND_LENGTH)}`;
    const message = invalidMessage(long);
    expect(message).toContain('too long');
    expect(message).toContain(String(long.length));
    expect(message).not.toContain('channel');
  });

  it('uses the configured command name in messages', () => {
    const parsed = parseAuditCommand('list x', SERVICES, '/aws-audit');
    expect(parsed).toEqual({ kind: 'invalid', message: expect.stringContaining('`/aws-audit list`') });
  });

  describe('echoing input', () => {
    it.each([
      ['prod <!channel>', '`&lt;!channel&gt;` is not a service'],
      ['prod <https://evil|click>', '`&lt;https://evil|click&gt;` is not a service'],
      ['prod --<@U0AAAAAAA>', '`--&lt;@U0AAAAAAA&gt;` is not an option'],
      ['prod --severity=<!here>', '`&lt;!here&gt;` is not a severity'],
      ['prod a&b', '`a&amp;b` is not a service'],
      ['list <!subteam^S0GROUPXX>', '`&lt;!subteam^S0GROUPXX&gt;`'],
    ])('escapes %j', (text, expected) => {
      const message = invalidMessage(text);
      expect(message).toContain(expected);
      expect(hasRawAngle(message)).toBe(false);
    });

    it("decodes Slack's own escaping first, so nothing is escaped twice", () => {
      // Slack sends `<!channel>` typed by a user as `&lt;!channel&gt;`.
      expect(invalidMessage('prod &lt;!channel&gt;')).toContain('`&lt;!channel&gt;` is not a service');
      expect(invalidMessage('prod a&amp;b')).toContain('`a&amp;b` is not a service');
      expect(invalidMessage('prod &amp;lt;x')).toContain('`&amp;lt;x` is not a service');
    });

    it('keeps code spans closed and echoes at most 40 characters', () => {
      const message = invalidMessage('prod `*bold*`');
      expect(message).toContain("`'*bold*'` is not a service");
      const long = invalidMessage(`prod ${'<'.repeat(200)}`);
      expect(long).toContain(`\`${'&lt;'.repeat(39)}…\``);
      expect(long).not.toContain('&lt;'.repeat(40));
      expect(hasRawAngle(long)).toBe(false);
    });
  });
});

describe('normalizeCommandText', () => {
  it('collapses unicode whitespace and maps smart punctuation', () => {
    expect(normalizeCommandText('\u00a0a\u2009\u2009b\u200d \u201cc\u201d \u2018d\u2019 ')).toBe('a b "c" \'d\'');
  });
});

describe('helpText', () => {
  it('shows the usage as mrkdwn with escaped placeholders', () => {
    const text = helpText('/audit', SERVICES);
    expect(text).toContain('`/audit &lt;alias&gt;`');
    expect(text).toContain('`/audit &lt;alias&gt; --severity high`');
    expect(text).toContain('`/audit list`');
    expect(text).toContain('`/audit status`');
    expect(text).toContain('`/audit help`');
    expect(text).toContain('`iam`, `ec2`, `vpc`, `s3`, `cloudtrail`');
    expect(text).toContain('`critical`, `high`, `medium`, `low`, `info`');
    expect(hasRawAngle(text)).toBe(false);
    expect(text.length).toBeLessThanOrEqual(3000);
  });

  it('uses another command name, escaped', () => {
    const text = helpText('/a<b>');
    expect(text).toContain('`/a&lt;b&gt; list`');
    expect(text).not.toContain('/audit');
    expect(hasRawAngle(text)).toBe(false);
  });

  it('fits one section even with many services', () => {
    const many = Array.from({ length: 60 }, (_, i) => `service-${i}`);
    expect(helpText('/audit', many).length).toBeLessThanOrEqual(3000);
  });
});
