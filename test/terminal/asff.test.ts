/**
 * The ASFF output against what BatchImportFindings requires of a finding
 * (the attributes AWS lists as required, their formats and limits), and how
 * findings are placed (ProductArn region) and identified across runs.
 */
import { describe, expect, it } from 'vitest';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { ALL_CHECKS } from '../../checks/index.js';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import { handFinding, handResult } from '../helpers/results.js';
import { ASFF_SCHEMA_VERSION, FIELD, GENERATOR_PREFIX, toAsff, type AsffOptions } from '../../src/terminal/asff.js';

const finding = handFinding;
const result = (findings: Finding[], errors: AuditResult['errors'] = []): AuditResult => handResult(findings, errors, ['global', 'eu-west-1']);

const checks = new Map(ALL_CHECKS.map((c) => [c.id, c]));
const OPTIONS: AsffOptions = { partition: 'aws', toolVersion: '0.1.0', now: '2026-12-03T09:05:00.000Z', globalRegion: 'us-east-1' };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** What BatchImportFindings refuses in a finding (its required attributes and the limits it enforces). */
function asffProblems(f: AwsSecurityFinding): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => void (ok || problems.push(what));
  const text = (v: unknown) => typeof v === 'string' && v.length > 0;
  for (const key of ['AwsAccountId', 'CreatedAt', 'Description', 'GeneratorId', 'Id', 'ProductArn', 'SchemaVersion', 'Title', 'UpdatedAt'] as const)
    need(text(f[key]), `${key} is required`);
  need(f.SchemaVersion === '2018-10-08', 'SchemaVersion is 2018-10-08');
  need(/^\d{12}$/.test(f.AwsAccountId ?? ''), 'AwsAccountId is 12 digits');
  need(ISO.test(f.CreatedAt ?? '') && ISO.test(f.UpdatedAt ?? ''), 'CreatedAt and UpdatedAt are ISO 8601 times');
  need(Date.parse(f.UpdatedAt ?? '') >= Date.parse(f.CreatedAt ?? ''), 'UpdatedAt is not before CreatedAt');
  need(/^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{12}:product\/\d{12}\/default$/.test(f.ProductArn ?? ''), 'ProductArn is the account’s default product');
  need((f.ProductArn ?? '').split(':')[4] === f.AwsAccountId, 'the default product is the finding’s account');
  need((f.Title ?? '').length <= 256, 'Title is at most 256 characters');
  need((f.Description ?? '').length <= 1024, 'Description is at most 1024 characters');
  need((f.Id ?? '').length <= 512 && (f.GeneratorId ?? '').length <= 512, 'Id and GeneratorId are at most 512 characters');
  need(
    Array.isArray(f.Types) && f.Types.length > 0 && f.Types.every((t) => t.split('/').length >= 2 && t.length <= 128),
    'Types are namespace/category[/classifier]',
  );
  need(LABELS.includes(f.Severity?.Label ?? ''), 'Severity.Label is an enum');
  need(Array.isArray(f.Resources) && f.Resources.length >= 1 && f.Resources.length <= 32, 'Resources holds 1 to 32 resources');
  for (const r of f.Resources ?? []) need(text(r.Type) && text(r.Id), 'a resource needs a Type and an Id');
  for (const r of f.Resources ?? []) {
    const other = Object.entries(r.Details?.Other ?? {});
    need(
      other.length <= 50 && other.every(([k, v]) => k.length <= 128 && typeof v === 'string' && v.length <= 1024),
      'Details.Other holds 50 strings within limits',
    );
  }
  need(!f.Remediation || (f.Remediation.Recommendation?.Text ?? '').length <= 512, 'Recommendation.Text is at most 512 characters');
  need(['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE', undefined].includes(f.Compliance?.Status), 'Compliance.Status is an enum');
  need(['ACTIVE', 'ARCHIVED', undefined].includes(f.RecordState), 'RecordState is an enum');
  const fields = Object.entries(f.ProductFields ?? {});
  need(fields.length <= 50 && fields.every(([k, v]) => k.length <= 128 && v.length <= 2048), 'ProductFields holds 50 strings within limits');
  need(JSON.stringify(f).length <= 240 * 1024, 'a finding is at most 240 KB');
  return problems;
}

describe('ASFF output', () => {
  it('writes each finding with what BatchImportFindings requires, placed in its region’s Security Hub (global ones in one region)', () => {
    const findings = toAsff(
      result([
        finding('iam.root-mfa', 'critical', 'root', 'The root user has no MFA', { resource: { type: 'AWS::IAM::Root', id: '123456789012' } }),
        finding('ec2.security-group-ssh', 'high', 'sg-1', 'sg-1 is open', {
          region: 'eu-west-1',
          resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-1', arn: 'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1' },
          details: { port: 22, cidr: '0.0.0.0/0', note: null },
        }),
      ]),
      checks,
      OPTIONS,
    );
    for (const f of findings) expect(asffProblems(f)).toEqual([]);
    const [root, sg] = findings as [AwsSecurityFinding, AwsSecurityFinding];
    expect(root.SchemaVersion).toBe(ASFF_SCHEMA_VERSION);
    expect(root.ProductArn).toBe('arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default');
    expect(sg.ProductArn).toBe('arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default');
    expect(root).toMatchObject({
      GeneratorId: `${GENERATOR_PREFIX}iam.root-mfa`,
      Title: checks.get('iam.root-mfa')!.title,
      Description: 'The root user has no MFA',
      Severity: { Label: 'CRITICAL' },
      FindingProviderFields: { Severity: { Label: 'CRITICAL' } },
      Compliance: {
        Status: 'FAILED',
        RelatedRequirements: [`CIS AWS Foundations Benchmark v5.0.0/${checks.get('iam.root-mfa')!.references.cis}`, expect.any(String)],
      },
      Remediation: { Recommendation: { Text: checks.get('iam.root-mfa')!.remediation } },
      CreatedAt: OPTIONS.now,
      RecordState: 'ACTIVE',
    });
    expect(root.Types).toContain('Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark');
    // An unknown CloudFormation type is Other; a known one is Security Hub's; the facts are strings.
    expect(root.Resources?.[0]).toMatchObject({ Type: 'Other', Id: '123456789012', Partition: 'aws' });
    expect(sg.Resources?.[0]).toEqual({
      Type: 'AwsEc2SecurityGroup',
      Id: 'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1',
      Partition: 'aws',
      Region: 'eu-west-1',
      Details: { Other: { port: '22', cidr: '0.0.0.0/0', note: 'null' } },
    });
    // What a later run reads back to decide whether it judged the finding.
    expect(sg.ProductFields).toMatchObject({ [FIELD.checkId]: 'ec2.security-group-ssh', [FIELD.region]: 'eu-west-1', [FIELD.resourceId]: 'sg-1' });
    // The same finding has the same Id in every run; a finding Security Hub already holds keeps its CreatedAt.
    const again = toAsff(result([finding('iam.root-mfa', 'critical', 'root', 'changed words')]), checks, {
      ...OPTIONS,
      now: '2026-12-10T09:00:00.000Z',
      createdAt: new Map([[root.Id!, OPTIONS.now]]),
    });
    expect(again[0]).toMatchObject({ Id: root.Id, CreatedAt: OPTIONS.now, UpdatedAt: '2026-12-10T09:00:00.000Z' });
  });

  it('lists one requirement per control the finding breaks', () => {
    const [f] = toAsff(
      result([finding('ec2.sg-risky-ports', 'critical', 'sg-1', 'open', { region: 'eu-west-1', details: { cidr: '0.0.0.0/0', cis: '5.3' } })]),
      checks,
      OPTIONS,
    );
    expect(f!.Compliance?.RelatedRequirements).toEqual(['CIS AWS Foundations Benchmark v5.0.0/5.3', 'AWS Foundational Security Best Practices v1.0.0/EC2.19']);
  });

  it('sends every finding to one region when asked (a finding aggregation region), in the partition of the account', () => {
    const [f] = toAsff(result([finding('iam.root-mfa', 'low', 'root', 'm', { region: 'eu-west-1' })]), checks, {
      ...OPTIONS,
      partition: 'aws-us-gov',
      globalRegion: 'us-gov-west-1',
      region: 'us-gov-east-1',
    });
    expect(f!.ProductArn).toBe('arn:aws-us-gov:securityhub:us-gov-east-1:123456789012:product/123456789012/default');
    expect(asffProblems(f!)).toEqual([]);
  });

  it('cuts what is too long for Security Hub, and writes what could not be checked as NOT_AVAILABLE, never leaving it out', () => {
    const long = 'x'.repeat(5000);
    const details = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`${'k'.repeat(200)}${i}`, long]));
    const findings = toAsff(
      result(
        [finding('iam.root-mfa', 'low', long, long, { details })],
        [
          { checkId: 'iam.user-console-mfa', region: 'global', code: 'AccessDenied', message: 'denied' },
          { checkId: 'iam.user-console-mfa', region: 'eu-west-1', code: 'Throttling', message: 'slow', resource: 'bob' },
        ],
      ),
      checks,
      OPTIONS,
    );
    for (const f of findings) expect(asffProblems(f)).toEqual([]);
    expect(findings[0]!.Description).toHaveLength(1024);
    const [whole, one] = [findings[1]!, findings[2]!];
    expect(whole).toMatchObject({
      Compliance: { Status: 'NOT_AVAILABLE' },
      Severity: { Label: 'INFORMATIONAL' },
      Title: `Could not check: ${checks.get('iam.user-console-mfa')!.title}`,
      Resources: [{ Type: 'AwsAccount', Id: 'AWS::::Account:123456789012' }],
    });
    expect(whole.Description).toContain('AccessDenied: denied');
    expect(one.Resources?.[0]).toMatchObject({ Type: 'Other', Id: 'bob', Region: 'eu-west-1' });
    expect(new Set(findings.map((f) => f.Id)).size).toBe(3);
  });

  it('the test catches what Security Hub refuses', () => {
    expect(
      asffProblems({
        SchemaVersion: '2020-01-01',
        Id: 'x',
        ProductArn: 'arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default',
        GeneratorId: 'g',
        AwsAccountId: '123456789012',
        Types: ['Checks'],
        CreatedAt: '2026-12-03',
        UpdatedAt: '2026-12-02T00:00:00Z',
        Severity: { Label: 'SEVERE' as 'LOW' },
        Title: 't'.repeat(300),
        Description: 'd',
        Resources: [],
      }),
    ).toEqual([
      'SchemaVersion is 2018-10-08',
      'CreatedAt and UpdatedAt are ISO 8601 times',
      'UpdatedAt is not before CreatedAt',
      'the default product is the finding’s account',
      'Title is at most 256 characters',
      'Types are namespace/category[/classifier]',
      'Severity.Label is an enum',
      'Resources holds 1 to 32 resources',
    ]);
  });
});
