import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../src/audit/types.js';
import { auditLimits, loadConfig, parseConfig, SEVERITY_NAMES, suggestAliases } from '../src/config.js';
import { AuditBotError } from '../src/errors.js';

const MINIMAL = `
accounts:
  - alias: sandbox
    accountId: "123456789012"
    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly
`;

function problems(text: string): string {
  try {
    parseConfig(text, '/etc/bot/audit.config.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(AuditBotError);
    expect((error as AuditBotError).code).toBe('CONFIG_INVALID');
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('config', () => {
  it('fills defaults for a minimal file', () => {
    const config = parseConfig(MINIMAL, '/x/audit.config.yml');
    expect(config.accounts[0]).toMatchObject({ alias: 'sandbox', accountId: '123456789012' });
    expect(config.thresholds).toMatchObject({ accessKeyMaxAgeDays: 90, credentialUnusedDays: 45, rootRecentUseDays: 30, requiredTags: [] });
    expect(config.access).toEqual({ remediators: [], requireApproval: false });
    expect(config.remediation).toEqual({ mode: 'dry-run' });
    expect(config.access.auditors).toBeUndefined();
    expect(config.audit).toEqual({ concurrency: 16, connectTimeoutSeconds: 5, requestTimeoutSeconds: 30, timeoutSeconds: 900 });
    expect(config.store.path).toBe('data/audit-db.json');
    expect(config.digest).toBeUndefined();
  });

  it('accepts the full example of DESIGN.md', () => {
    const config = parseConfig(
      `
accounts:
  - alias: sandbox
    accountId: "123456789012"
    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly
    externalId: optional-external-id
    regions: [us-east-1, eu-west-1]
    remediationRoleArn: arn:aws:iam::123456789012:role/AuditRemediation
    channels: [C0123ABCD]
access:
  auditors: [U0AAAAAAA, S0GROUPXX]
  remediators: [U0BBBBBBB]
digest:
  channel: C0DIGESTX
  schedule: "0 9 * * 1"
  timezone: Europe/Berlin
thresholds:
  accessKeyMaxAgeDays: 60
  credentialUnusedDays: 30
  requiredTags: [Owner, Environment]
store:
  path: data/audit-db.json
`,
      '/x/audit.config.yml',
    );
    expect(config.accounts[0]!.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(config.digest).toEqual({ channel: 'C0DIGESTX', schedule: '0 9 * * 1', timezone: 'Europe/Berlin' });
    expect(config.thresholds.accessKeyMaxAgeDays).toBe(60);
    expect(config.thresholds.passwordMinLength).toBe(14);
  });

  it('rejects unknown keys with file, line and key path (a typo must not disable a guard)', () => {
    const message = problems(`${MINIMAL}access:\n  remediator: [U0BBBBBBB]\n`);
    expect(message).toContain('audit.config.yml:7: access.remediator: unknown key (did you mean remediators?)');
  });

  it('suggests the key meant, inside lists and sections too, and points to the reference when nothing is close', () => {
    const message = problems(
      `accounts:\n  - alias: prod\n    accountId: "123456789012"\n    rolearn: arn:aws:iam::123456789012:role/Audit\ndigest:\n  chanel: C0DIGESTX\nfrobnicate: 1\n`,
    );
    expect(message).toContain('rolearn: unknown key (did you mean roleArn?)');
    expect(message).toContain('digest.chanel: unknown key (did you mean channel?)');
    expect(message).toContain('frobnicate: unknown key (check the spelling; see the configuration reference in the README)');
  });

  it('names the account by alias and says what is expected', () => {
    const message = problems(`
accounts:
  - alias: prod
    accountId: "12345"
    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly
    regions: [eu-west-1, "Frankfurt"]
`);
    expect(message).toContain('audit.config.yml:4: accounts[0] (prod).accountId: expected a 12-digit AWS account id, got "12345"');
    expect(message).toContain('accounts[0] (prod).regions[1]: expected an AWS region name like eu-west-1, got "Frankfurt"');
    expect(message).toContain('2 problems');
  });

  it('accepts an unquoted 12-digit account id but explains a mangled one', () => {
    expect(parseConfig(MINIMAL.replace('"123456789012"', '123456789012'), 'a.yml').accounts[0]!.accountId).toBe('123456789012');
    // YAML reads 012345678901 as the number 12345678901: the leading zero is gone.
    const message = problems(MINIMAL.replace('"123456789012"', '012345678901').replace('123456789012:role', '012345678901:role'));
    expect(message).toContain('write accountId: "012345678901"');
  });

  it('rejects a role in another account than accountId', () => {
    const message = problems(MINIMAL.replace('arn:aws:iam::123456789012', 'arn:aws:iam::999999999999'));
    expect(message).toContain('accounts[0] (sandbox).roleArn: the role is in account 999999999999, but accountId is 123456789012');
  });

  it('rejects a remediation role that is the audit role (the audit role stays read-only)', () => {
    const arn = 'arn:aws:iam::123456789012:role/AuditReadOnly';
    const message = problems(MINIMAL.replace(/roleArn: (\S+)/, (line, role: string) => `${line}\n    remediationRoleArn: ${role}`));
    expect(message).toContain('remediationRoleArn: must be another role than roleArn');
    expect(() =>
      parseConfig(
        MINIMAL.replace(/roleArn: (\S+)/, (line) => `${line}\n    remediationRoleArn: ${arn.replace('AuditReadOnly', 'AuditRemediation')}`),
        'a.yml',
      ),
    ).not.toThrow();
  });

  it('takes a Security Hub role in the account, never the audit role nor one in another account', () => {
    const withHubRole = (arn: string) => MINIMAL.replace(/roleArn: (\S+)/, (line) => `${line}\n    securityHubRoleArn: ${arn}`);
    expect(problems(withHubRole('arn:aws:iam::123456789012:role/AuditReadOnly'))).toContain(
      'securityHubRoleArn: must be another role than roleArn: the audit role stays read-only',
    );
    expect(problems(withHubRole('arn:aws:iam::999999999999:role/Import'))).toContain(
      'securityHubRoleArn: the role is in account 999999999999, but accountId is 123456789012',
    );
    expect(problems(withHubRole('not-an-arn'))).toContain('securityHubRoleArn: expected an IAM role ARN');
    expect(parseConfig(withHubRole('arn:aws:iam::123456789012:role/AuditFindingsImport'), 'a.yml').accounts[0]!.securityHubRoleArn).toBe(
      'arn:aws:iam::123456789012:role/AuditFindingsImport',
    );
  });

  it('rejects duplicate aliases, missing keys, wrong types, bad cron and time zones', () => {
    const message = problems(`
accounts:
  - alias: a
    accountId: "123456789012"
    roleArn: arn:aws:iam::123456789012:role/R
  - alias: a
    accountId: "123456789012"
  - alias: b
    accountId: "123456789012"
    roleArn: arn:aws:iam::123456789012:role/R
    channels: "#security"
digest:
  channel: C0DIGESTX
  schedule: "every monday"
  timezone: Mars/Olympus
thresholds:
  accessKeyMaxAgeDays: -1
`);
    expect(message).toContain('accounts[1] (a).alias: alias "a" is already used by accounts[0]');
    expect(message).toContain('accounts[1] (a).roleArn: missing; expected string');
    expect(message).toContain('accounts[2] (b).channels: expected array, got string');
    expect(message).toContain('digest.schedule: expected a cron expression');
    expect(message).toContain('digest.timezone: expected an IANA time zone');
    expect(message).toContain('thresholds.accessKeyMaxAgeDays: expected a whole number of days greater than 0');
  });

  it('refuses hostile or absurd values with a message, not a crash', () => {
    const message = problems(`
accounts:
  - alias: prod
    accountId: 1e400
    roleArn: 5
audit:
  concurrency: 1e309
thresholds:
  accessKeyMaxAgeDays: 9999999999999999999999
`);
    expect(message).toContain('accounts[0] (prod).accountId: expected a 12-digit AWS account id in quotes, got a number too large to use');
    expect(message).toContain('accounts[0] (prod).roleArn: expected string, got number');
    expect(message).toContain('audit.concurrency: expected a finite number, got a number too large to use');
    expect(message).toContain('thresholds.accessKeyMaxAgeDays: expected at most 3650 days');
    const lines = message
      .split('\n')
      .slice(1)
      .map((l) => Number(/yml:(\d+)/.exec(l)?.[1]));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it('takes the timeouts and the audit deadline from audit.*, within bounds', () => {
    const config = parseConfig(`${MINIMAL}audit:\n  connectTimeoutSeconds: 2.5\n  requestTimeoutSeconds: 10\n  timeoutSeconds: 300\n`, '/x/audit.config.yml');
    expect(auditLimits(config.audit)).toEqual({ concurrency: 16, timeouts: { connectMs: 2_500, requestMs: 10_000 }, deadlineMs: 300_000 });
    const message = problems(`${MINIMAL}audit:\n  connectTimeoutSeconds: 0\n  requestTimeoutSeconds: 601\n  timeoutSeconds: "soon"\n`);
    expect(message).toContain('audit.connectTimeoutSeconds: expected at least 0.1 s');
    expect(message).toContain('audit.requestTimeoutSeconds: expected at most 600 s');
    expect(message).toContain('audit.timeoutSeconds: expected a number of seconds, got string');
  });

  it("refuses a region its role's partition does not have, with the closest names", () => {
    const message = problems(`
accounts:
  - alias: prod
    accountId: "123456789012"
    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly
    regions: [eu-west-1, eu-wset-1, cn-north-1, zz-nowhere-9]
  - alias: china
    accountId: "123456789013"
    roleArn: arn:aws-cn:iam::123456789013:role/AuditReadOnly
    regions: [cn-north-1, cn-nrth-1]
`);
    expect(message).toContain('audit.config.yml:6: accounts[0] (prod).regions[1]: "eu-wset-1" is not a region of the aws partition; did you mean eu-west-1?');
    expect(message).toContain('accounts[0] (prod).regions[2]: cn-north-1 is a region of the aws-cn partition, but the role is in aws');
    expect(message).toContain('accounts[0] (prod).regions[3]: "zz-nowhere-9" is not a region of the aws partition\n');
    expect(message).toContain('accounts[1] (china).regions[1]: "cn-nrth-1" is not a region of the aws-cn partition; did you mean cn-north-1?');
    expect(message).not.toContain('regions[0]');
  });

  it('refuses a YAML alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    expect(problems(bomb)).toContain('cannot be read: Excessive alias count');
  });

  it('reports YAML syntax errors with line and column', () => {
    const message = problems('accounts:\n  - alias: a\n   accountId: [\n');
    expect(message).toMatch(/audit\.config\.yml:\d+:\d+:/);
    expect(message).toContain('is not valid YAML');
  });

  it('rejects an empty file and a file that is not a mapping', () => {
    expect(problems('')).toContain('accounts: expected at least one account, or an organization section to discover them');
    expect(problems('- just\n- a list\n')).toContain('(top level)');
  });

  it('loads from AUDIT_CONFIG, resolving the store next to the file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-config-'));
    const file = path.join(dir, 'custom.yml');
    await writeFile(file, MINIMAL);
    const config = await loadConfig({ env: { AUDIT_CONFIG: file } });
    expect(config.sourcePath).toBe(file);
    expect(config.store.path).toBe(path.join(dir, 'data/audit-db.json'));
  });

  it('refuses a file that is not UTF-8, naming the byte, its offset and line', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-config-latin1-'));
    const file = path.join(dir, 'audit.config.yml');
    // "Zürich" saved as Latin-1: ü is the single byte 0xFC.
    await writeFile(file, Buffer.concat([Buffer.from(`${MINIMAL}    # team: Z`), Buffer.from([0xfc]), Buffer.from('rich\n')]));
    const error = await loadConfig({ path: file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toBe(
      `${file} is not UTF-8 text: byte 0xfc at offset ${MINIMAL.length + 13} (line 6) is not valid UTF-8. Save the file as UTF-8.`,
    );
  });

  it('says where the config was looked for when it is missing', async () => {
    await expect(loadConfig({ env: { AUDIT_CONFIG: '/nonexistent/audit.config.yml' } })).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      message: expect.stringContaining('/nonexistent/audit.config.yml'),
    });
  });

  it('takes risky-port tiers and allowed open ports from thresholds, with defaults', () => {
    const defaults = parseConfig(MINIMAL, '/x/audit.config.yml').thresholds;
    expect(defaults.riskyPorts.critical).toEqual(expect.arrayContaining([22, 3389, 5900, 445, 3306, 6379, 2375]));
    expect(defaults.riskyPorts.high).toEqual(expect.arrayContaining([21, 8080, 5601]));
    expect(defaults.openPortsAllowed).toEqual([80, 443]);
    const custom = parseConfig(`${MINIMAL}thresholds:\n  riskyPorts:\n    critical: [22, 8443]\n  openPortsAllowed: [443]\n`, '/x/audit.config.yml').thresholds;
    expect(custom.riskyPorts).toEqual({ critical: [22, 8443], high: defaults.riskyPorts.high });
    expect(custom.openPortsAllowed).toEqual([443]);
  });

  it('refuses a port in both tiers, a risky port that is also allowed, and ports out of range', () => {
    expect(problems(`${MINIMAL}thresholds:\n  riskyPorts:\n    critical: [22]\n    high: [22, 21]\n`)).toMatch(
      /thresholds\.riskyPorts\.high.*port 22 is in both tiers/,
    );
    expect(problems(`${MINIMAL}thresholds:\n  openPortsAllowed: [443, 22]\n`)).toMatch(/thresholds\.openPortsAllowed.*port 22 is also a risky port/);
    expect(problems(`${MINIMAL}thresholds:\n  riskyPorts:\n    high: [70000]\n`)).toMatch(/from 0 to 65535/);
    expect(problems(`${MINIMAL}thresholds:\n  openPortsAllowed: ["http"]\n`)).toMatch(/openPortsAllowed\[0\]: expected a port number, got string/);
  });

  it('accepts the shipped example, also with every commented-out key switched on', async () => {
    const text = await readFile('audit.config.example.yml', 'utf8');
    expect(parseConfig(text, '/x/audit.config.yml').accounts[0]!.alias).toBe('sandbox');
    // "# key: value" lines (not prose comments) become live keys, keeping their indentation.
    const uncommented = text.replace(/^(\s*)# ?(?=[a-zA-Z]+:|-|\s+[a-zA-Z]+:|\s+- )/gm, '$1');
    const config = parseConfig(uncommented, '/x/audit.config.yml');
    expect(config.thresholds.riskyPorts.critical).toContain(22);
    expect(config.thresholds.openPortsAllowed).toEqual([80, 443]);
    expect(config.thresholds.requiredTags).toEqual(['Owner', 'Environment']);
    expect(config.digest?.timezone).toBe('Europe/Berlin');
    expect(config.mutes).toEqual([expect.objectContaining({ check: 's3.public-*', until: '2027-03-31' })]);
    expect(config.alerts).toEqual({ channel: 'C0ALERTSX', schedule: '0 * * * *', minSeverity: 'high' });
    expect(config.organization).toMatchObject({ roleName: 'AuditReadOnly', include: ['ou:Root/Workloads/*'], refreshMinutes: 60 });
  });

  it('refuses an alias that /audit reads as a command', () => {
    expect(problems(MINIMAL.replace('alias: sandbox', 'alias: status'))).toContain(
      '"status" is a word of /audit itself (help, list, status, mutes, digest); choose another alias',
    );
  });

  it('suggests close aliases', () => {
    const aliases = ['prod-payments', 'prod-web', 'sandbox', 'staging'];
    expect(suggestAliases('prod-paymnets', aliases)).toEqual(['prod-payments']);
    expect(suggestAliases('payments', aliases)).toEqual(['prod-payments']);
    expect(suggestAliases('zzzzzz', aliases)).toEqual([]);
  });
});

describe('alerts in the config', () => {
  const base = `accounts:\n  - alias: prod\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n`;
  it('defaults to hourly at high, and says what is wrong', () => {
    expect(parseConfig(`${base}alerts:\n  channel: C0ALERTS1\n`, '/x/audit.config.yml').alerts).toEqual({
      channel: 'C0ALERTS1',
      schedule: '0 * * * *',
      minSeverity: 'high',
    });
    let message = '';
    try {
      parseConfig(`${base}alerts:\n  channel: "#alerts"\n  schedule: every hour\n  minSeverity: severe\n  timezone: Mars/Olympus\n`, '/x/audit.config.yml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('alerts.channel: expected a Slack channel id like C0123ABCD');
    expect(message).toContain('alerts.schedule: expected a cron expression');
    expect(message).toContain('alerts.minSeverity: expected one of critical, high, medium, low, info');
    expect(message).toContain('alerts.timezone: expected an IANA time zone');
  });

  it('knows the audit’s severities', () => {
    expect(SEVERITY_NAMES).toEqual(SEVERITIES);
  });
});

describe('organization in the config', () => {
  it('takes an organization instead of accounts, and says what is wrong with it', () => {
    const config = parseConfig('organization:\n  roleName: AuditReadOnly\n', '/x/audit.config.yml');
    expect(config.accounts).toEqual([]);
    expect(config.organization).toEqual({ roleName: 'AuditReadOnly', exclude: [], aliasFrom: 'name', refreshMinutes: 60 });
    let message = '';
    try {
      parseConfig(
        'organization:\n  roleArn: arn:aws:iam::1:role/x\n  include: ["prod"]\n  aliasFrom: tags\n  regions: [eu-wset-1]\n  refreshMinutes: 0\n  rolename: x\n',
        '/x/audit.config.yml',
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('organization.roleName: missing; expected the audit role name every member account has');
    expect(message).toContain('organization.rolename: unknown key (did you mean roleName?)');
    expect(message).toContain('organization.include[0]: expected ou:<path glob>, id:<id glob>, name:<name glob> or tag:<key>[=<value glob>], got "prod"');
    expect(message).toContain('organization.aliasFrom: expected name');
    expect(message).toContain('organization.regions[0]: "eu-wset-1" is not a region of the aws partition; did you mean eu-west-1?');
    expect(message).toContain('organization.refreshMinutes: expected at least 1 minute');
    expect(message).toContain('organization.roleArn: expected an IAM role ARN');
  });

  it('selects the store: a PostgreSQL URL, its schema, the queue within what pg-boss takes, and refuses what cannot work', async () => {
    const { storeTarget } = await import('../src/store/open.js');
    const { queueLimits } = await import('../src/config.js');
    const pgConfig = parseConfig(
      `${MINIMAL}store:\n  url: postgres://audit@db.internal:5432/audit\n  schema: audit_prod\nqueue:\n  concurrency: 8\n`,
      '/x/a.yml',
    );
    expect(storeTarget(pgConfig, {})).toEqual({ backend: 'postgres', url: 'postgres://audit@db.internal:5432/audit', schema: 'audit_prod' });
    expect(queueLimits(pgConfig)).toEqual({ concurrency: 8, jobTimeoutSeconds: 960, retries: 2, retryDelaySeconds: 30, maintenanceSeconds: 30 });
    // DATABASE_URL when the config names no store; a store.path in the config wins over it.
    const plain = parseConfig(MINIMAL, '/x/a.yml');
    expect(storeTarget(plain, { DATABASE_URL: 'postgres://u@h/d' })).toEqual({ backend: 'postgres', url: 'postgres://u@h/d' });
    expect(storeTarget(plain, {})).toMatchObject({ backend: 'file' });
    const withPath = parseConfig(`${MINIMAL}store:\n  path: mine.json\n`, '/x/a.yml');
    expect(storeTarget(withPath, { DATABASE_URL: 'postgres://u@h/d' })).toMatchObject({ backend: 'file' });
    expect(() => storeTarget(plain, { DATABASE_URL: 'mysql://nope' })).toThrow('DATABASE_URL is set but is not a PostgreSQL URL');
    expect(problems(`${MINIMAL}store:\n  path: a.json\n  url: postgres://u@h/d\n`)).toContain(
      'set store.path (the JSON file) or store.url (PostgreSQL), not both',
    );
    expect(problems(`${MINIMAL}store:\n  url: http://db/x\n`)).toContain('expected a PostgreSQL URL');
    expect(problems(`${MINIMAL}store:\n  url: postgres://u@h/d\n  schema: ${'a'.repeat(46)}\n`)).toContain('at most 45');
    expect(problems(`${MINIMAL}queue:\n  retryDelaySeconds: 2.5\n`)).toContain('queue.retryDelaySeconds');
    expect(problems(`${MINIMAL}queue:\n  jobTimeoutSeconds: 86400\n`)).toContain('queue.jobTimeoutSeconds');
    // An audit deadline near a day still gives the job a limit pg-boss takes.
    expect(queueLimits(parseConfig(`${MINIMAL}audit:\n  timeoutSeconds: 86400\n`, '/x/a.yml')).jobTimeoutSeconds).toBe(86_000);
  });
});
