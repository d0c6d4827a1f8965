import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GenerateCredentialReportCommand, GetAccountPasswordPolicyCommand, GetCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import rootMfa from '../checks/iam/root-mfa.js';
import { defineCheck } from '../src/audit/check.js';
import { EXIT, runCli } from '../src/cli.js';
import { CSV_COLUMNS } from '../src/terminal/format.js';
import { PROCESS_TEST_TIMEOUT_MS, runCliProcess } from './helpers/cli-process.js';
import { awsError, credentialReportCsv, fakeSessions, NOW, rootReportRow } from './helpers/aws.js';

const iam = mockClient(IAMClient);

const CONFIG = `
accounts:
  - alias: sandbox
    accountId: "123456789012"
    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly
    regions: [us-east-1, eu-west-1]
  - alias: prod-payments
    accountId: "210987654321"
    roleArn: arn:aws:iam::210987654321:role/AuditReadOnly
`;

/** A check whose finding carries hostile AWS text (as a user or tag name could). */
const hostile = defineCheck({
  id: 'iam.test-hostile',
  title: 'Hostile names',
  service: 'iam',
  scope: 'global',
  severity: 'low',
  description: '',
  references: {},
  remediation: 'Rename it.',
  uses: ['iam.passwordPolicy'],
  async run(ctx) {
    await ctx.inventory.get('iam.passwordPolicy');
    return [ctx.fail({ resource: { type: 'AWS::IAM::User', id: '=HYPERLINK("http://evil")' }, message: 'user \u001b[2J<!channel> is odd' })];
  },
});

let configPath: string;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-cli-'));
  configPath = path.join(dir, 'audit.config.yml');
  await writeFile(configPath, CONFIG);
});

function sink() {
  let text = '';
  return {
    write: (chunk: string) => ((text += chunk), true),
    get text() {
      return text;
    },
    isTTY: false,
  };
}

async function cli(args: string[], checks = [rootMfa, hostile]) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(args, { stdout, stderr, env: { AUDIT_CONFIG: configPath }, sessions: fakeSessions(), checks });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function serveRoot(mfa: boolean) {
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iam.on(GetCredentialReportCommand).resolves({ Content: credentialReportCsv([rootReportRow({ mfa_active: String(mfa) })]), GeneratedTime: NOW });
}

describe('aws-audit-bot audit', () => {
  beforeEach(() => {
    iam.reset();
    iam.on(GetAccountPasswordPolicyCommand).resolves({ PasswordPolicy: {} });
  });

  it('exits 0 with no findings', async () => {
    serveRoot(true);
    const { code, stdout } = await cli(['audit', 'sandbox', '--check', 'iam.root-*']);
    expect(code).toBe(EXIT.clean);
    expect(stdout).toContain('Audit of sandbox (123456789012)');
    expect(stdout).toContain('No findings.');
  });

  it('exits 1 with findings and prints a table sorted by severity, control characters made visible', async () => {
    serveRoot(false);
    const { code, stdout } = await cli(['audit', 'sandbox']);
    expect(code).toBe(EXIT.findings);
    // Grouped by severity, then by check (its title once), a line per finding.
    const lines = stdout.split('\n');
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(at('CRITICAL (1)')).toBeGreaterThan(0);
    expect(lines[at('CRITICAL (1)') + 1]).toBe('  iam.root-mfa · Root user has MFA (1)');
    expect(lines[at('CRITICAL (1)') + 2]).toMatch(/^ {4}root\s+global\s+The root user has no MFA/);
    expect(at('LOW (1)')).toBeGreaterThan(at('CRITICAL (1)'));
    expect(lines[at('LOW (1)') + 1]).toMatch(/^ {2}iam\.test-hostile/);
    expect(stdout).toContain('What to do about each: --details');
    expect(stdout).toContain('user \\x1b[2J<!channel> is odd');
    expect(stdout).not.toContain('\u001b');
    expect(stdout).toMatch(/2 findings \(1 critical, 1 low\) · 0 errors · [\d.]+ s · 4 AWS calls/);
  });

  it('prints the JSON contract: account, findings, errors, stats', async () => {
    serveRoot(false);
    iam.on(GetAccountPasswordPolicyCommand).rejects(awsError('AccessDenied', 'no'));
    const { code, stdout } = await cli(['audit', 'sandbox', '--format', 'json']);
    expect(code).toBe(EXIT.findings);
    const json = JSON.parse(stdout);
    expect(json.account).toEqual({ alias: 'sandbox', accountId: '123456789012' });
    expect(json.findings).toHaveLength(1);
    expect(json.findings[0]).toMatchObject({ checkId: 'iam.root-mfa', severity: 'critical', region: 'global', resource: { id: 'root' } });
    expect(json.errors).toEqual([{ checkId: 'iam.test-hostile', region: 'global', code: 'AccessDenied', message: 'no' }]);
    expect(json.stats.durationMs).toBeGreaterThanOrEqual(0);
    expect(json.stats.apiCalls).toBe(4);
  });

  it('prints CSV, one row per finding, safe for spreadsheets', async () => {
    serveRoot(false);
    const { stdout } = await cli(['audit', 'sandbox', '--format', 'csv']);
    const rows = parseCsv(stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ severity: 'critical', checkId: 'iam.root-mfa', alias: 'sandbox', title: 'Root user has MFA' });
    expect(rows[1]!.resourceId).toBe(`'=HYPERLINK("http://evil")`);
  });

  it('exits 3 when nothing was found but some checks could not run', async () => {
    iam.on(GenerateCredentialReportCommand).rejects(awsError('AccessDenied', 'denied'));
    const { code, stdout } = await cli(['audit', 'sandbox', '--check', 'iam.root-mfa']);
    expect(code).toBe(EXIT.incomplete);
    expect(stdout).toContain('Could not check (1 error; these are not passes):');
    expect(stdout).toContain('iam.root-mfa in global: AccessDenied: denied');
  });

  it('names the one resource that could not be checked, in the table and on stderr for CSV', async () => {
    const perBucket = defineCheck({
      id: 's3.test-buckets',
      title: 'Per bucket',
      service: 's3',
      scope: 'global',
      severity: 'low',
      description: '',
      references: {},
      remediation: 'x',
      uses: ['iam.passwordPolicy'],
      async run(ctx) {
        await ctx.inventory.get('iam.passwordPolicy');
        return [ctx.pass('fine-bucket'), ctx.error('locked-\u001b[31mbucket', awsError('AccessDenied', 'Access Denied'))];
      },
    });
    const table = await cli(['audit', 'sandbox'], [perBucket]);
    expect(table.code).toBe(EXIT.incomplete);
    expect(table.stdout).toContain('s3.test-buckets in global (locked-\\x1b[31mbucket): AccessDenied: Access Denied');
    const csv = await cli(['audit', 'sandbox', '--format', 'csv'], [perBucket]);
    expect(csv.stderr).toBe('could not check s3.test-buckets in global (locked-\\x1b[31mbucket): AccessDenied: Access Denied\n');
  });

  it('exits 2 with a clear message for usage errors', async () => {
    const cases: [string[], string][] = [
      [['audit'], "missing required argument 'alias'"],
      [['audit', 'prod-paymnets'], 'Did you mean prod-payments?'],
      [['audit', 'sandbox', '--format', 'xml'], '--format must be one of table, json, csv, sarif, ocsf, asff'],
      [['audit', 'sandbox', '--check', 's3.*'], 'No check matches "s3.*"'],
      [['audit', 'sandbox', '--region', 'Frankfurt'], '"Frankfurt" is not a region name'],
      [['audit', 'sandbox', '--region', 'ap-south-1'], "ap-south-1 is not among sandbox's configured regions"],
      [['audit', 'sandbox', '--bogus'], "unknown option '--bogus'"],
      [['audit', 'sandbox', '--formt', 'json'], '(Did you mean --format?)'],
      [['audti', 'sandbox'], '(Did you mean audit?)'],
      [['audit', 'sandbox', '--severity', 'hihg'], 'Allowed choices are critical, high, medium, low, info'],
      [['audit', 'sandbox', '--service', 'iamm'], '--service: no service "iamm" (did you mean iam?)'],
      [['audit', 'sandbox', '--security-hub', '--security-hub-region', 'eu-wset-1'], '--security-hub-region: "eu-wset-1" is not a region of the aws partition'],
      [['audit', 'sandbox', '--security-hub', '--security-hub-region', 'Paris'], '--security-hub-region: "Paris" is not a region name'],
      [['audit', 'sandbox', '--security-hub-region', 'eu-west-1'], '--security-hub-region goes with --security-hub.'],
      [['audit', 'sandbox', '--compliance', 'cis-4.0'], '--compliance must be one of cis-5.0, not "cis-4.0".'],
      [['audit', 'sandbox', '--compliance', 'cis-5.0', '--format', 'sarif'], '--compliance prints table, json, csv, not sarif.'],
      [['audit', 'sandbox', '--compliance', 'cis-5.0', '--severity', 'high'], '--compliance judges every finding of a control: leave out --severity.'],
      [['audit', 'sandbox', '--compliance', 'cis-5.0', '--security-hub'], '--compliance and --security-hub do not go together'],
      [['frobnicate'], "unknown command 'frobnicate'"],
      [[], 'Usage: aws-audit-bot [options] [command]'],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(args);
      expect({ args, code }).toEqual({ args, code: EXIT.usage });
      expect(stderr).toContain(message);
    }
    expect(iam.calls()).toHaveLength(0);
  });

  it('names at most ten aliases when the one typed is unknown, however many are configured', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-cli-many-'));
    const many = path.join(dir, 'audit.config.yml');
    const accounts = Array.from({ length: 40 }, (_, i) => {
      const id = String(100000000000 + i);
      return `  - alias: team-${i}\n    accountId: "${id}"\n    roleArn: arn:aws:iam::${id}:role/Audit\n`;
    });
    await writeFile(many, `accounts:\n${accounts.join('')}`);
    const { code, stderr } = await cli(['audit', 'nothing-like-it', '--config', many]);
    expect(code).toBe(EXIT.usage);
    expect(stderr.trim()).toBe(
      `No account "nothing-like-it" in ${many}. Configured: team-0, team-1, team-2, team-3, team-4, team-5, team-6, team-7, team-8, team-9 and 30 more (aws-audit-bot accounts lists them)`,
    );
  });

  it('shows config keys and values, and arguments, with terminal controls escaped in its errors', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-cli-hostile-'));
    const hostile = path.join(dir, 'audit.config.yml');
    await writeFile(hostile, `${CONFIG}"evil\\e[2J\\u202ekey": 1\nthresholds:\n  requiredTags: [7]\n`);
    const config = await cli(['accounts', '--config', hostile]);
    expect(config.code).toBe(EXIT.usage);
    expect(config.stderr).toContain('evil\\x1b[2J\\u202ekey: unknown key');
    expect(config.stderr).not.toMatch(/[\u001b\u202e]/);
    const args = await cli(['audit', 'sandbox', '--check', 'x\u001b]0;t\u0007', '--\u202ebogus']);
    expect(args.code).toBe(EXIT.usage);
    expect(args.stderr).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(args.stderr).toContain('\\u202ebogus');
    const alias = await cli(['audit', 'sand\u2028box']);
    expect(alias.stderr).toContain('No account "sand\\u2028box"');
  });

  it('exits 2 when the audit role cannot be assumed', async () => {
    const { RoleSessions } = await import('../src/aws/session.js');
    const sessions = new RoleSessions(() => ({ send: () => Promise.reject(awsError('AccessDenied', 'not authorized to perform sts:AssumeRole')) }) as never);
    const stderr = sink();
    const code = await runCli(['audit', 'sandbox'], { stdout: sink(), stderr, env: { AUDIT_CONFIG: configPath }, sessions, checks: [rootMfa] });
    expect(code).toBe(EXIT.usage);
    expect(stderr.text).toBe(
      'Cannot assume arn:aws:iam::123456789012:role/AuditReadOnly for account "sandbox": AccessDenied: not authorized to perform sts:AssumeRole. ' +
        "Check the role's trust policy (it must trust the bot's principal) and that the bot may call sts:AssumeRole on it.\n",
    );
  });
});

describe('aws-audit-bot accounts', () => {
  it('lists configured accounts', async () => {
    const { code, stdout } = await cli(['accounts']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^ALIAS\s+ACCOUNT\s+SOURCE\s+REGIONS$/);
    expect(stdout.split('\n')[1]).toMatch(/^sandbox\s+123456789012\s+config\s+us-east-1, eu-west-1$/);
    expect(stdout).toMatch(/prod-payments\s+210987654321\s+config\s+all enabled/);
    const json = JSON.parse((await cli(['accounts', '--format', 'json'])).stdout);
    expect(json[1]).toMatchObject({ alias: 'prod-payments', regions: 'all enabled', remediation: false });
  });
});

describe('the installed command', () => {
  async function spawnCli(args: string[], env: Record<string, string> = {}) {
    return runCliProcess(args, { env: { ...process.env, ...env } });
  }

  it(
    'exits 2 on a missing config and on an invalid one, naming the problem',
    async () => {
      const missing = await spawnCli(['audit', 'sandbox'], { AUDIT_CONFIG: '/nonexistent/audit.config.yml' });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('No config file at /nonexistent/audit.config.yml');
      const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-cli-bad-'));
      await writeFile(path.join(dir, 'audit.config.yml'), 'accounts: []\nacess: {}\n');
      const invalid = await spawnCli(['accounts', '--config', path.join(dir, 'audit.config.yml')]);
      expect(invalid.code).toBe(2);
      expect(invalid.stderr).toContain('audit.config.yml:1: accounts: expected at least one account');
      expect(invalid.stderr).toContain('audit.config.yml:2: acess: unknown key');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    "prints its version, each command's help, and the checks (table and JSON) with no config and no AWS",
    async () => {
      const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
      const v = await spawnCli(['--version']);
      expect(v).toMatchObject({ code: 0, stdout: `${version}\n` });
      const help = await spawnCli(['audit', '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--severity <min>');
      expect(help.stdout).toContain('--details');
      const env = { ...process.env, AUDIT_CONFIG: '/nonexistent/audit.config.yml' };
      const table = await runCliProcess(['checks', '--service', 'iam'], { env });
      expect(table.code).toBe(0);
      expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+SEVERITY\s+CIS\s+SECURITY HUB\s+TITLE$/);
      expect(table.stdout).toMatch(/^iam\.root-mfa\s+critical\s+\S+\s+\S+\s+Root user has MFA$/m);
      expect(table.stdout).not.toMatch(/^s3\./m);
      const json = await runCliProcess(['checks', '--format', 'json', '--severity', 'critical'], { env });
      const rows = JSON.parse(json.stdout) as { id: string; severity: string; references: object; remediation: string }[];
      expect(rows.length).toBeGreaterThan(3);
      expect(rows.every((r) => r.severity === 'critical' && typeof r.remediation === 'string' && typeof r.references === 'object')).toBe(true);
      const typo = await runCliProcess(['chekcs'], { env });
      expect(typo.code).toBe(EXIT.usage);
      expect(typo.stderr).toContain('(Did you mean checks?)');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'prints usage with help',
    async () => {
      const help = await spawnCli(['help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('audit [options] <alias>');
      expect(help.stdout).toContain('checks [options]');
      expect(help.stdout).toContain('roles [options]');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
