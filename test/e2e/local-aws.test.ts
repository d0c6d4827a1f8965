/**
 * The terminal audit end to end through the real SDK HTTP stack: the built
 * CLI runs as a process, AWS_ENDPOINT_URL points it at the local stand-in
 * (test/helpers/local-aws.ts).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT_MS, runCliProcess } from '../helpers/cli-process.js';
import { LocalAws } from '../helpers/local-aws.js';

const aws = new LocalAws();
const { actions, unanswered } = aws;
let configPath: string;

beforeAll(async () => {
  await aws.start();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-e2e-'));
  configPath = path.join(dir, 'audit.config.yml');
  await writeFile(
    configPath,
    'accounts:\n  - alias: local\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1]\nthresholds:\n  requiredTags: [Owner]\n',
  );
});

afterAll(() => aws.stop());
beforeEach(() => aws.reset());

function runCli(args: string[]) {
  return runCliProcess(args, {
    env: {
      ...process.env,
      AUDIT_CONFIG: configPath,
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIABOTBOTBOTBOTBOTB',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
    },
  });
}

describe('audit against a local AWS stand-in', () => {
  it(
    'finds the problems through real SDK requests and prints the JSON contract',
    async () => {
      const { code, stdout, stderr } = await runCli(['audit', 'local', '--format', 'json']);
      expect(stderr).toBe('');
      expect(code).toBe(1);
      const json = JSON.parse(stdout) as { findings: { checkId: string; resource: { id: string } }[]; errors: unknown[]; stats: { apiCalls: number } };
      expect(json.errors).toEqual([]);
      const found = json.findings.map((f) => `${f.checkId}:${f.resource.id}`);
      expect(found).toEqual(
        expect.arrayContaining([
          'iam.root-mfa:root',
          'iam.user-console-mfa:<!channel>',
          'iam.admin-policy:alice/everything',
          'iam.user-direct-policies:alice',
          'iam.password-policy:password-policy',
          'iam.support-role:123456789012',
          'ec2.sg-risky-ports:sg-0123456789abcdef0',
          's3.public-acl:public-site',
          's3.block-public-access:public-site',
          's3.secure-transport:public-site',
          's3.account-block-public-access:123456789012',
          'cloudtrail.enabled:123456789012',
          'rds.public-access:legacy-db',
          'rds.storage-encrypted:legacy-db',
          'rds.backup-retention:legacy-db',
          'rds.deletion-protection:legacy-db',
          'rds.public-snapshot:legacy-db-dump',
          'efs.encryption:fs-0123456789abcdef0',
          'kms.key-rotation:1234abcd-12ab-34cd-56ef-1234567890ab',
          'config.recorder:us-east-1',
          'cloudtrail.s3-data-events:123456789012',
          'accessanalyzer.enabled:us-east-1',
          'route53.dmarc:Z0LOCAL/example.com',
          'iam.expired-server-certificates:legacy-shop',
          'cloudwatch.security-alarms:123456789012',
          'elb.listener-insecure:arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188',
          // Its tags come from DescribeTags: a Name, no Owner.
          'ec2.required-tags:arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188',
          // The ALB's group (the bastion's) opens tcp 22, not its listener port 80.
          'elb.security-groups:arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188',
        ]),
      );
      // Every service's answer was understood: nothing the stand-in does not serve was asked for.
      expect(unanswered).toEqual([]);
      expect(actions).toEqual(
        expect.arrayContaining([
          'GET /public-site?location',
          'GET /v20180820/configuration/publicAccessBlock',
          'cloudtrail:DescribeTrails',
          'DescribeSecurityGroups',
        ]),
      );
      const sg = json.findings.find((f) => f.checkId === 'ec2.sg-risky-ports') as unknown as { severity: string; details: Record<string, unknown> };
      expect(sg.severity).toBe('critical');
      expect(sg.details).toMatchObject({ cidr: '0.0.0.0/0', fromPort: 22, inUse: false });
      // The XML of RDS is understood: the port came from Endpoint, the group from VpcSecurityGroups (it opens 22, not 5432).
      const db = json.findings.find((f) => f.checkId === 'rds.public-access') as unknown as { severity: string; details: Record<string, unknown> };
      expect(db).toMatchObject({ severity: 'high', details: { port: 5432, subnetGroup: null, internetOpenGroups: '' } });
      expect(json.findings.find((f) => f.checkId === 'rds.public-snapshot')).toMatchObject({
        fix: 'rds.make-snapshot-private',
        details: { snapshotKind: 'db', encrypted: false },
      });
      // EFS's REST JSON and KMS's JSON 1.1 too.
      expect(json.findings.find((f) => f.checkId === 'kms.key-rotation')).toMatchObject({
        details: { aliases: 'alias/payments', description: '<!here> payments', createdAt: '2025-01-01T00:00:00.000Z' },
      });
      expect(json.findings.find((f) => f.checkId === 'efs.encryption')).toMatchObject({ details: { name: 'shared', sizeBytes: 6144 } });
      // CloudFront's XML and IAM's certificate body: expired, and a 1024-bit key, on the one distribution.
      expect(
        json.findings.filter((f) => f.checkId.startsWith('cloudfront.')).map((f) => (f as unknown as { details: Record<string, unknown> }).details),
      ).toEqual([
        expect.objectContaining({ distributionId: 'E1LOCAL', keyType: 'rsa', keyBits: 1024 }),
        expect.objectContaining({ distributionId: 'E1LOCAL', certificateName: 'legacy-shop', expiration: '2025-01-01T00:00:00.000Z', keyType: null }),
      ]);
      // SPF split over two strings of one TXT value passes.
      expect(found.filter((f) => f.startsWith('securityhub.') || f.startsWith('route53.spf'))).toEqual([]);
      expect(actions).toEqual(expect.arrayContaining(['GET /accounts', 'GET /2020-05-31/distribution', 'GET /2013-04-01/hostedzone/Z0LOCAL/rrset']));
      expect(actions.filter((a) => a === 'GetCredentialReport')).toHaveLength(1);
      expect(actions.filter((a) => a === 'GetAccountAuthorizationDetails')).toHaveLength(1);
      expect(json.stats.apiCalls).toBe(actions.length);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'writes a report larger than a pipe holds in full before it exits',
    async () => {
      // 3,000 groups open to the world: a JSON report of several MiB, far over the 64 KiB a pipe takes at once.
      const groups = Array.from(
        { length: 3_000 },
        (_, i) =>
          `<item><ownerId>123456789012</ownerId><groupId>sg-${i.toString(16).padStart(17, '0')}</groupId><groupName>open-${i}</groupName><groupDescription>open</groupDescription><vpcId>vpc-0123456789abcdef0</vpcId><ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort><groups/><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item></ipPermissions><ipPermissionsEgress/></item>`,
      ).join('');
      aws.intercept = ({ action, res }) => {
        if (action !== 'DescribeSecurityGroups') return false;
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><securityGroupInfo>${groups}</securityGroupInfo></DescribeSecurityGroupsResponse>`,
        );
        return true;
      };
      const { code, stdout, stderr } = await runCli(['audit', 'local', '--format', 'json', '--check', 'ec2.sg-risky-ports']);
      expect(stderr).toBe('');
      expect(code).toBe(1);
      expect(stdout.length).toBeGreaterThan(1024 * 1024);
      const json = JSON.parse(stdout) as { findings: { checkId: string }[] };
      expect(json.findings.filter((f) => f.checkId === 'ec2.sg-risky-ports')).toHaveLength(3_000);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    "JSON findings carry their check's words; --service and --severity keep only what was asked for",
    async () => {
      const all = await runCli(['audit', 'local', '--format', 'json']);
      const allFindings = (JSON.parse(all.stdout) as { findings: { severity: string; checkId: string; title?: string; remediation?: string }[] }).findings;
      // JSON findings carry what their check says: title, remediation, references.
      expect(allFindings.find((f) => f.checkId === 'iam.root-mfa')).toMatchObject({
        title: 'Root user has MFA',
        remediation: expect.any(String),
        references: { cis: expect.any(String) },
      });
      const high = await runCli(['audit', 'local', '--format', 'json', '--service', 'iam', '--severity', 'high']);
      expect(high.code).toBe(1);
      const kept = (JSON.parse(high.stdout) as { findings: { severity: string; checkId: string }[] }).findings;
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.every((f) => (f.severity === 'critical' || f.severity === 'high') && f.checkId.startsWith('iam.'))).toBe(true);
      expect(kept.length).toBeLessThan(allFindings.filter((f) => f.checkId.startsWith('iam.')).length);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'prints a table that fits, each check named once; --details says what to do; SARIF holds the same findings',
    async () => {
      const json = await runCli(['audit', 'local', '--service', 'iam', '--format', 'json']);
      const iamFindings = (JSON.parse(json.stdout) as { findings: { checkId: string }[] }).findings;
      const table = await runCli(['audit', 'local', '--service', 'iam']);
      expect(table.code).toBe(1);
      const lines = table.stdout.split('\n');
      // Not a terminal: 120 columns, every line within them; each check's title once.
      expect(lines.every((l) => l.length <= 120)).toBe(true);
      expect(lines.filter((l) => l.startsWith('  iam.root-mfa · Root user has MFA'))).toHaveLength(1);
      expect(table.stdout).toMatch(/^\d+ findings \(.*\) · 0 errors · /m);
      expect(table.stdout).toContain('What to do about each: --details');
      const details = await runCli(['audit', 'local', '--service', 'iam', '--details']);
      expect(details.stdout).toMatch(/^ {6}Fix: /m);
      // SARIF for code-scanning pipelines: the same findings, as results of the checks' rules.
      const sarif = await runCli(['audit', 'local', '--service', 'iam', '--format', 'sarif']);
      expect(sarif.code).toBe(1);
      const log = JSON.parse(sarif.stdout) as { version: string; runs: { results: { ruleId: string }[]; tool: { driver: { rules: { id: string }[] } } }[] };
      expect(log.version).toBe('2.1.0');
      expect(log.runs[0]!.results.map((r) => r.ruleId).sort()).toEqual(iamFindings.map((f) => f.checkId).sort());
      // Below the severity asked for: counted, not shown; and nothing at all at or above it exits 0.
      const onlyCritical = await runCli(['audit', 'local', '--service', 'iam', '--severity', 'critical']);
      expect(onlyCritical.stdout).toMatch(/below critical left out/);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'OCSF holds the same findings as JSON, each a Compliance Finding with its fingerprint as uid',
    async () => {
      const json = await runCli(['audit', 'local', '--service', 'iam', '--format', 'json']);
      const { findings, errors } = JSON.parse(json.stdout) as { findings: { checkId: string; fingerprint: string }[]; errors: unknown[] };
      const ocsf = await runCli(['audit', 'local', '--service', 'iam', '--format', 'ocsf']);
      expect(ocsf.code).toBe(1);
      const events = JSON.parse(ocsf.stdout) as { class_uid: number; finding_info: { uid: string }; compliance: { status_id: number } }[];
      expect(events.every((e) => e.class_uid === 2003)).toBe(true);
      expect(events.filter((e) => e.compliance.status_id === 3).map((e) => e.finding_info.uid)).toEqual(findings.map((f) => f.fingerprint));
      expect(events.filter((e) => e.compliance.status_id === 2)).toHaveLength(errors.length);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    '--security-hub imports the findings, archives one no longer found, and exits 4 when Security Hub refuses one',
    async () => {
      // What an earlier run sent about a user who is gone now.
      const gone = {
        Id: 'aws-audit-bot/123456789012/iam.user-console-mfa/ghost',
        ProductArn: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default',
        GeneratorId: 'aws-audit-bot/iam.user-console-mfa',
        AwsAccountId: '123456789012',
        SchemaVersion: '2018-10-08',
        Types: ['Software and Configuration Checks/AWS Security Best Practices'],
        CreatedAt: '2026-11-01T00:00:00.000Z',
        UpdatedAt: '2026-11-01T00:00:00.000Z',
        Severity: { Label: 'MEDIUM' },
        Title: 'IAM users with a console password have MFA',
        Description: 'ghost has no MFA',
        Resources: [{ Type: 'AwsIamUser', Id: 'ghost' }],
        ProductFields: { 'aws-audit-bot/checkId': 'iam.user-console-mfa', 'aws-audit-bot/region': 'global', 'aws-audit-bot/resourceId': 'ghost' },
        RecordState: 'ACTIVE',
      };
      aws.hubFindings.set(gone.Id, gone);
      const asff = await runCli(['audit', 'local', '--service', 'iam', '--format', 'asff']);
      const expected = (JSON.parse(asff.stdout) as { Id: string }[]).map((f) => f.Id);
      expect(expected.length).toBeGreaterThan(0);

      const first = await runCli(['audit', 'local', '--service', 'iam', '--format', 'json', '--security-hub']);
      expect(first.code).toBe(1);
      expect(first.stderr).toBe(
        `Security Hub (123456789012): us-east-1: ${expected.length + 1} of ${expected.length + 1} taken (1 archived: no longer found)\n`,
      );
      expect(aws.hubFindings.get(gone.Id)?.RecordState).toBe('ARCHIVED');
      expect(
        [...aws.hubFindings.values()]
          .filter((f) => f.RecordState === 'ACTIVE')
          .map((f) => f.Id)
          .sort(),
      ).toEqual([...expected].sort());
      expect(actions).toContain('GetCallerIdentity');

      aws.refuseFinding = (f) => (f.Id as string).includes('iam.root-mfa');
      const second = await runCli(['audit', 'local', '--service', 'iam', '--security-hub']);
      expect(second.code).toBe(4);
      expect(second.stderr).toMatch(
        /^Security Hub: not taken aws-audit-bot\/123456789012\/iam\.root-mfa\/\w+: InvalidInput: Finding does not adhere to ASFF$/m,
      );
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    '--compliance cis-5.0 gives each CIS control its status, the findings behind each fail, and exits 1 when one fails',
    async () => {
      const table = await runCli(['audit', 'local', '--compliance', 'cis-5.0']);
      expect(table.code).toBe(1);
      expect(table.stdout).toMatch(/^CIS AWS Foundations Benchmark v5\.0\.0 · local \(123456789012\)/);
      expect(table.stdout).toMatch(/^1 Identity and Access Management — \d+ fail/m);
      expect(table.stdout).toMatch(/^ {2}FAIL \(1\) +1\.4 +auto +Ensure MFA is enabled for the 'root' user account$/m);
      expect(table.stdout).toMatch(/^ {2}not covered +1\.1 +manual +Maintain current contact details$/m);
      expect(table.stdout).toMatch(/^63 controls: \d+ fail · /m);
      expect(table.stdout.split('\n').every((l) => l.length <= 120)).toBe(true);
      const json = await runCli(['audit', 'local', '--compliance', 'cis-5.0', '--format', 'json']);
      const report = JSON.parse(json.stdout) as { controls: { id: string; status: string; findings: unknown[] }[]; totals: Record<string, number> };
      expect(report.controls).toHaveLength(63);
      expect(report.controls.find((c) => c.id === '2.2.3')).toMatchObject({
        status: 'fail',
        findings: [expect.objectContaining({ checkId: 'rds.public-access' })],
      });
      expect(Object.values(report.totals).reduce((a, b) => a + b, 0)).toBe(63);
      // Only the checks that cover a control ran.
      expect(actions).not.toContain('GET /2013-04-01/hostedzone');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    "selects the RDS checks with --check 'rds.*' and asks AWS only what they need",
    async () => {
      const { code, stdout, stderr } = await runCli(['audit', 'local', '--format', 'json', '--check', 'rds.*']);
      expect(stderr).toBe('');
      expect(code).toBe(1);
      const json = JSON.parse(stdout) as { findings: { checkId: string }[]; errors: unknown[]; scope: { checkIds: string[] } };
      expect(json.errors).toEqual([]);
      expect(json.scope.checkIds).toEqual([
        'rds.public-snapshot',
        'rds.sg-open',
        'rds.public-access',
        'rds.storage-encrypted',
        'rds.backup-retention',
        'rds.minor-version-upgrade',
        'rds.deletion-protection',
      ]);
      expect(new Set(json.findings.map((f) => f.checkId.split('.')[0]))).toEqual(new Set(['rds']));
      expect(unanswered).toEqual([]);
      // Region discovery, the role and the security groups (rds.sg-open, rds.public-access); no IAM, S3 or CloudTrail call.
      expect([...new Set(actions)].sort()).toEqual(
        [
          'AssumeRole',
          'DescribeRegions',
          'DescribeSecurityGroups',
          'DescribeDBInstances',
          'DescribeDBClusters',
          'DescribeDBSnapshots',
          'DescribeDBSnapshotAttributes',
          'DescribeDBClusterSnapshots',
        ].sort(),
      );
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'exits 2 with one clear line when the audit role cannot be assumed',
    async () => {
      aws.failAssumeRole = true;
      const { code, stdout, stderr } = await runCli(['audit', 'local']);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(
        'Cannot assume arn:aws:iam::123456789012:role/AuditReadOnly for account "local": AccessDenied: User: arn:aws:iam::111111111111:user/bot',
      );
      expect(stderr).not.toMatch(/\n\s+at /);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'refuses a mistyped region, on the command line or in the config, naming the closest',
    async () => {
      const typo = await runCli(['audit', 'local', '--region', 'eu-wset-1']);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toContain('--region: "eu-wset-1" is not a region of the aws partition; did you mean eu-west-1?');
      expect(aws.actions).toEqual([]);
      const config = path.join(path.dirname(configPath), 'typo.config.yml');
      await writeFile(
        config,
        'accounts:\n  - alias: local\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1, eu-wset-1, cn-north-1]\n',
      );
      const inConfig = await runCli(['audit', 'local', '--config', config]);
      expect(inConfig.code).toBe(2);
      expect(inConfig.stderr).toContain(
        'typo.config.yml:5: accounts[0] (local).regions[1]: "eu-wset-1" is not a region of the aws partition; did you mean eu-west-1?',
      );
      expect(inConfig.stderr).toContain('accounts[0] (local).regions[2]: cn-north-1 is a region of the aws-cn partition, but the role is in aws');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'exits 3, not 0, when no check ran: every region asked for is one the account has not enabled',
    async () => {
      const config = path.join(path.dirname(configPath), 'two-regions.config.yml');
      await writeFile(
        config,
        'accounts:\n  - alias: local\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1, eu-south-2]\n',
      );
      const run = await runCli(['audit', 'local', '--config', config, '--region', 'eu-south-2', '--check', 'ec2.*']);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('No check ran: every region asked for was skipped: eu-south-2 (not a region this account knows). Nothing was audited.');
      // The compliance view of nothing is not printed as if it were an audit.
      const compliance = await runCli(['audit', 'local', '--config', config, '--region', 'eu-south-2', '--service', 'ec2', '--compliance', 'cis-5.0']);
      expect(compliance.code).toBe(3);
      expect(compliance.stdout).toBe('');
      expect(compliance.stderr).toContain('No check ran');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'leaves out what the config mutes (listed apart in JSON, counted in the table), refuses a mute naming no check, and `accounts` tells stale mutes',
    async () => {
      const dir = path.dirname(configPath);
      const account =
        'accounts:\n  - alias: local\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1]\n';
      const muted = path.join(dir, 'muted.config.yml');
      await writeFile(
        muted,
        `${account}store:\n  path: muted-db.json\nmutes:\n  - check: iam.user-console-*\n    resource: "<!channel>"\n    reason: Break-glass user, SEC-7\n    until: 2099-12-31\n  - resource: nobody-has-this\n    reason: left over\n    until: 2099-12-31\n`,
      );
      const json = await runCli(['audit', 'local', '--config', muted, '--check', 'iam.*', '--format', 'json']);
      const out = JSON.parse(json.stdout) as { findings: { checkId: string; resource: { id: string } }[]; muted: Record<string, string>[] };
      expect(out.findings.map((f) => `${f.checkId}:${f.resource.id}`)).not.toContain('iam.user-console-mfa:<!channel>');
      expect(out.findings.length).toBeGreaterThan(0);
      expect(out.muted).toEqual([
        expect.objectContaining({
          checkId: 'iam.user-console-mfa',
          resourceId: '<!channel>',
          mute: 'mutes[0]',
          reason: 'Break-glass user, SEC-7',
          until: '2099-12-31',
        }),
      ]);
      const table = await runCli(['audit', 'local', '--config', muted, '--check', 'iam.*']);
      expect(table.stdout).toContain(' · 1 muted by the config · ');
      expect(table.stdout).not.toContain('<!channel>');

      const typo = path.join(dir, 'mute-typo.config.yml');
      await writeFile(typo, `${account}mutes:\n  - check: iam.user-console-mfaa\n    reason: r\n    until: 2099-12-31\n`);
      aws.reset();
      const refused = await runCli(['audit', 'local', '--config', typo]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('mutes[0].check: "iam.user-console-mfaa" matches no check; did you mean iam.user-console-mfa?');
      expect(aws.actions).toEqual([]);

      // What the history knows (as the bot would have recorded it): the first mute matches an open finding, the second nothing.
      const fingerprint = 'f'.repeat(32);
      const state = {
        fingerprint,
        checkId: 'iam.user-console-mfa',
        accountId: '123456789012',
        region: 'global',
        resourceId: '<!channel>',
        severity: 'high',
        message: 'm',
        firstSeen: '2026-12-01T00:00:00.000Z',
        lastSeen: '2026-12-01T00:00:00.000Z',
        resolvedAt: null,
        reopenedAt: null,
      };
      const scan = {
        id: 's1',
        alias: 'local',
        accountId: '123456789012',
        startedAt: '2026-12-01T00:00:00.000Z',
        checkIds: ['iam.user-console-mfa'],
        regions: ['global'],
        findings: 1,
        errors: 0,
      };
      await writeFile(
        path.join(dir, 'muted-db.json'),
        JSON.stringify({ schemaVersion: 1, scans: [scan], findings: [state], mutes: [], actions: [], digest: { cursor: null, lastPostedAt: null } }),
      );
      const accounts = await runCli(['accounts', '--config', muted]);
      expect(accounts.code).toBe(0);
      expect(accounts.stdout).toContain('Mutes in the config (2):');
      expect(accounts.stdout).toContain('  mutes[0]  check iam.user-console-* · resource <!channel>  until 2099-12-31  mutes 1 open finding\n');
      expect(accounts.stdout).toContain('  mutes[1]  resource nobody-has-this  until 2099-12-31  stale: matches no open finding of the last scans\n');
      expect(accounts.stdout).toContain('1 of 2 mute nothing now');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'discovers the organization’s accounts for `accounts`, and audits one by its alias through the member role',
    async () => {
      const config = path.join(path.dirname(configPath), 'org.config.yml');
      await writeFile(
        config,
        'accounts:\n  - alias: management\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1]\norganization:\n  roleName: OrgAudit\n  exclude: ["tag:Team=finance"]\n  regions: [us-east-1]\n',
      );
      const listed = await runCli(['accounts', '--config', config]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^management\s+123456789012\s+config\s+us-east-1$/m);
      expect(listed.stdout).toMatch(/^payments-prod\s+222222222222\s+organization\s+us-east-1$/m);
      expect(listed.stdout).toContain('444444444444  Old Sandbox  not active (SUSPENDED)');
      expect(listed.stdout).toContain('123456789012  Management  configured in accounts: (that entry wins)');
      expect(aws.actions.filter((a) => a === 'organizations:ListAccounts')).toHaveLength(2);
      const json = JSON.parse((await runCli(['accounts', '--config', config, '--format', 'json'])).stdout) as {
        alias: string;
        roleArn: string;
        source: string;
      }[];
      expect(json.find((a) => a.alias === 'payments-prod')).toMatchObject({ roleArn: 'arn:aws:iam::222222222222:role/OrgAudit', source: 'organization' });

      aws.reset();
      const audit = await runCli(['audit', 'payments-prod', '--config', config, '--check', 'iam.root-mfa', '--format', 'json']);
      expect(audit.stderr).toBe('');
      expect((JSON.parse(audit.stdout) as { account: { alias: string; accountId: string } }).account).toEqual({
        alias: 'payments-prod',
        accountId: '222222222222',
      });

      aws.failAssumeRole = true;
      const denied = await runCli(['audit', 'payments-prod', '--config', config, '--check', 'iam.root-mfa']);
      aws.failAssumeRole = false;
      expect(denied.code).toBe(2);
      expect(denied.stderr).toContain('Cannot assume arn:aws:iam::222222222222:role/OrgAudit for account "payments-prod"');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
