/**
 * The OCSF output against what OCSF 1.5.0 requires (its CHANGELOG's
 * relaxations through 1.5.0 included: product.vendor_name and
 * compliance.standards are recommended, status_detail is deprecated) of a Compliance Finding
 * (class 2003) and of each object it writes: the base event's required
 * attributes and the rules tying its ids together, the cloud profile,
 * metadata and product, finding_info, compliance, remediation, resources,
 * and the enums of the ids it sets.
 */
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import { handFinding, handResult } from '../helpers/results.js';
import { OCSF_VERSION, ocsfChunks, STANDARDS } from '../../src/terminal/ocsf.js';

const finding = handFinding;
const result = (findings: Finding[], errors: AuditResult['errors'] = []): AuditResult => handResult(findings, errors, ['global', 'eu-west-1']);

const checks = new Map(ALL_CHECKS.map((c) => [c.id, c]));
const ocsf = (r: AuditResult) => JSON.parse([...ocsfChunks(r, checks, { toolVersion: '0.1.0', partition: 'aws' })].join('')) as OcsfEvent[];

type OcsfEvent = Record<string, unknown> & {
  finding_info: { uid: string; title: string; desc?: string };
  compliance: { standards: string[]; control: string; status_id: number; status_details?: string[] };
  resources?: { uid: string; region?: string; data?: Record<string, unknown> }[];
  cloud: { provider: string; region?: string; account: { uid: string } };
  remediation?: { desc: string };
  message: string;
};

/** OCSF 1.5.0's enums for the ids these events set. */
const ENUMS = {
  activity_id: [0, 1, 2, 3, 99],
  severity_id: [0, 1, 2, 3, 4, 5, 6, 99],
  status_id: [0, 1, 2, 3, 4, 5, 6, 99],
  compliance_status_id: [0, 1, 2, 3, 99],
  account_type_id: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 99],
};

function requiredFieldProblems(event: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => void (ok || problems.push(what));
  const object = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  const text = (value: unknown) => typeof value === 'string' && value.length > 0;
  // Base event: required in every class.
  for (const key of ['activity_id', 'category_uid', 'class_uid', 'metadata', 'severity_id', 'time', 'type_uid'])
    need(key in event, `base_event.${key} is required`);
  need(Number.isInteger(event.time), 'time is a timestamp_t (integer milliseconds)');
  need(ENUMS.activity_id.includes(event.activity_id as number), 'activity_id is an enum');
  need(ENUMS.severity_id.includes(event.severity_id as number), 'severity_id is an enum');
  need(event.type_uid === (event.class_uid as number) * 100 + (event.activity_id as number), 'type_uid is class_uid × 100 + activity_id');
  need(event.category_uid === Math.floor((event.class_uid as number) / 1000), 'category_uid is the class’s category');
  // Compliance Finding (2003): finding_info from Finding, compliance of its own.
  need(event.class_uid === 2003, 'class_uid is Compliance Finding');
  need(!('status_id' in event) || ENUMS.status_id.includes(event.status_id as number), 'status_id is an enum');
  const metadata = event.metadata;
  need(object(metadata) && text(metadata.version) && /^1\.\d+\.\d+$/.test(metadata.version as string), 'metadata.version is a 1.x semver');
  const product = object(metadata) ? metadata.product : undefined;
  need(object(product), 'metadata.product is required');
  // 1.4.0 relaxed vendor_name to recommended: a product needs a name or a uid.
  need(object(product) && (text(product.name) || text(product.uid)), 'product needs a name or a uid');
  const info = event.finding_info;
  need(object(info) && text(info.uid), 'finding_info.uid is required');
  const compliance = event.compliance;
  need(object(compliance), 'compliance is required');
  // 1.5.0 made standards recommended; these events always name one.
  need(
    object(compliance) && Array.isArray(compliance.standards) && compliance.standards.length > 0 && compliance.standards.every(text),
    'compliance.standards is a list of strings',
  );
  need(!object(compliance) || !('status_detail' in compliance), 'compliance.status_detail is deprecated (1.4.0): status_details');
  need(
    !object(compliance) || !('status_id' in compliance) || ENUMS.compliance_status_id.includes(compliance.status_id as number),
    'compliance.status_id is an enum',
  );
  // The cloud profile: listed in metadata.profiles, its cloud object needs a provider.
  const profiles = object(metadata) ? metadata.profiles : undefined;
  need(Array.isArray(profiles) && profiles.includes('cloud'), 'metadata.profiles names the cloud profile');
  const cloud = event.cloud;
  need(object(cloud) && text(cloud.provider), 'cloud.provider is required');
  const account = object(cloud) ? cloud.account : undefined;
  need(!object(account) || ENUMS.account_type_id.includes(account.type_id as number), 'account.type_id is an enum');
  need(!object(account) || text(account.uid) || text(account.name), 'an account needs a uid or a name');
  const remediation = event.remediation;
  need(remediation === undefined || (object(remediation) && text(remediation.desc)), 'remediation.desc is required');
  for (const r of (event.resources as unknown[] | undefined) ?? []) need(object(r) && (text(r.uid) || text(r.name)), 'a resource needs a uid or a name');
  return problems;
}

describe('OCSF output', () => {
  it('writes one Compliance Finding per finding, with the fields OCSF 1.5.0 requires and the check’s words', () => {
    const events = ocsf(
      result([
        finding('iam.root-mfa', 'critical', 'root', 'The root user has no MFA'),
        finding('iam.user-console-mfa', 'medium', 'bob', 'bob has no MFA', {
          region: 'eu-west-1',
          resource: { type: 'AWS::IAM::User', id: 'bob', arn: 'arn:aws:iam::123456789012:user/bob' },
          details: { lastUsedDays: 12 },
        }),
      ]),
    );
    expect(events).toHaveLength(2);
    for (const event of events) expect(requiredFieldProblems(event)).toEqual([]);
    const [root, bob] = events as [OcsfEvent, OcsfEvent];
    expect(root).toMatchObject({ severity_id: 5, severity: 'Critical', metadata: { version: OCSF_VERSION }, time: Date.parse('2026-12-03T09:00:00.000Z') });
    expect(root.finding_info).toMatchObject({ uid: expect.stringMatching(/^iam\.root-mfa/), title: 'Root user has MFA', desc: expect.any(String) });
    expect(root.compliance).toMatchObject({
      standards: expect.arrayContaining([STANDARDS.cis]),
      status_id: 3,
      control: checks.get('iam.root-mfa')!.references.cis,
    });
    expect(root.remediation?.desc).toBe(checks.get('iam.root-mfa')!.remediation);
    // A global check names no region; a regional finding names it, in the cloud and on the resource.
    expect(root.cloud).toEqual({ provider: 'AWS', account: { uid: '123456789012', name: 'prod', type: 'AWS Account', type_id: 10 } });
    expect(bob.cloud.region).toBe('eu-west-1');
    expect(bob.resources).toEqual([
      {
        uid: 'arn:aws:iam::123456789012:user/bob',
        name: 'bob',
        type: 'AWS::IAM::User',
        cloud_partition: 'aws',
        region: 'eu-west-1',
        data: { lastUsedDays: 12 },
      },
    ]);
    expect(bob).toMatchObject({ severity_id: 3, message: 'bob has no MFA' });
  });

  it('writes what could not be checked as a Warning, never leaves it out, and escapes what AWS said', () => {
    const raw = [
      ...ocsfChunks(
        result(
          [finding('iam.root-mfa', 'low', 'x\u001b[2J\u202e', 'odd \u0007 name')],
          [{ checkId: 'iam.password-policy', region: 'global', code: 'AccessDenied', message: 'denied \u202e' }],
        ),
        checks,
        { toolVersion: '0.1.0', partition: 'aws' },
      ),
    ].join('');
    expect(raw).not.toMatch(/[\u001b\u202e\u0007]/);
    const events = JSON.parse(raw) as OcsfEvent[];
    for (const event of events) expect(requiredFieldProblems(event)).toEqual([]);
    expect(events[0]!.message).toBe('odd \u0007 name');
    const error = events[1]!;
    expect(error.compliance).toMatchObject({ status_id: 2, status_details: ['AccessDenied: denied \u202e'] });
    expect(error.finding_info.title).toBe(`Could not check: ${checks.get('iam.password-policy')!.title}`);
    // Stable across runs, like a finding's uid, and not any finding's.
    const again = ocsf(result([], [{ checkId: 'iam.password-policy', region: 'global', code: 'Throttling', message: 'slow down' }]));
    expect(again[0]!.finding_info.uid).toBe(error.finding_info.uid);
    expect(error.finding_info.uid).not.toBe(events[0]!.finding_info.uid);
  });

  it('names the control a finding breaks, not every control of its check, and each Security Hub control once', () => {
    const [v6, policy] = ocsf(
      result([
        finding('ec2.sg-risky-ports', 'critical', 'sg-1', 'open to ::/0', { region: 'eu-west-1', details: { cidr: '::/0', cis: '5.4' } }),
        finding('iam.password-policy', 'medium', 'password-policy', 'weak', { details: { cis: '1.8' } }),
      ]),
    ) as [OcsfEvent, OcsfEvent];
    expect(v6.compliance).toMatchObject({ control: '5.4', requirements: ['CIS 5.4', 'EC2.19', 'ec2.sg-risky-ports'] });
    expect(policy.compliance).toMatchObject({ control: '1.8', requirements: ['CIS 1.8', 'IAM.7', 'IAM.15', 'IAM.16', 'iam.password-policy'] });
  });

  it('an audit with nothing to say is an empty array; a check without references names our own standard', () => {
    expect(ocsf(result([]))).toEqual([]);
    const events = ocsf(result([finding('custom.check', 'high', 'thing', 'wrong')]));
    expect(requiredFieldProblems(events[0]!)).toEqual([]);
    expect(events[0]!.compliance).toMatchObject({ standards: [STANDARDS.own], control: 'custom.check' });
    expect(events[0]!.remediation).toBeUndefined();
  });

  it('the test catches what the schema refuses', () => {
    expect(
      requiredFieldProblems({
        activity_id: 1,
        category_uid: 3,
        class_uid: 2004,
        severity_id: 7,
        time: '2026-12-03',
        type_uid: 200301,
        metadata: { version: '2.0', product: { vendor_name: 'x' } },
        finding_info: {},
        compliance: { standards: [], status_id: 4, status_detail: 'x' },
        cloud: { account: { type_id: 42 } },
        remediation: {},
        resources: [{}],
      }),
    ).toEqual([
      'time is a timestamp_t (integer milliseconds)',
      'severity_id is an enum',
      'type_uid is class_uid × 100 + activity_id',
      'category_uid is the class’s category',
      'class_uid is Compliance Finding',
      'metadata.version is a 1.x semver',
      'product needs a name or a uid',
      'finding_info.uid is required',
      'compliance.standards is a list of strings',
      'compliance.status_detail is deprecated (1.4.0): status_details',
      'compliance.status_id is an enum',
      'metadata.profiles names the cloud profile',
      'cloud.provider is required',
      'account.type_id is an enum',
      'an account needs a uid or a name',
      'remediation.desc is required',
      'a resource needs a uid or a name',
    ]);
  });
});
