import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import secureTransport from '../../../checks/s3/secure-transport.js';
import { audit, awsError } from '../../helpers/aws.js';
import { denyInsecureTransport, policyText, serveS3 } from '../../helpers/s3-fixtures.js';

const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);

const READ_FOR_PARTNER = {
  Sid: 'Partner',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::210987654321:root' },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::logs/*',
};

/** The CIS statement for bucket `logs`, changed by `overrides`. */
function denyHttp(overrides: object = {}): object {
  return { ...denyInsecureTransport('logs'), ...overrides };
}

async function judge(...statements: object[]) {
  serveS3(s3, s3control, { buckets: [{ name: 'logs', region: 'eu-west-1', policy: policyText(...statements) }] });
  return audit([secureTransport]);
}

describe('s3.secure-transport', () => {
  beforeEach(() => {
    s3.reset();
    s3control.reset();
  });

  it.each([
    ['the CIS statement', denyHttp()],
    [
      'Principal {"AWS":"*"}, Action "*", boolean false, BoolIfExists, key in another case',
      denyHttp({ Principal: { AWS: '*' }, Action: '*', Condition: { BoolIfExists: { 'AWS:SecureTransport': false } } }),
    ],
    ['["false"] and Resource "arn:aws:s3:::logs*"', denyHttp({ Resource: 'arn:aws:s3:::logs*', Condition: { Bool: { 'aws:SecureTransport': ['false'] } } })],
  ])('passes with %s', async (_, deny) => {
    const result = await judge(READ_FOR_PARTNER, deny);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['s3.secure-transport']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('judges a Resource written to make a regular expression backtrack, without hanging', async () => {
    // 60 stars and no match: a backtracking matcher would run for hours (policy text is attacker-controlled).
    const hostile = denyHttp({ Resource: [`arn:aws:s3:::logs/${'*'.repeat(60)}X`] });
    const result = await judge(hostile);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['logs']);
    const matching = await judge(denyHttp({ Resource: [`arn:aws:s3:::logs/${'*'.repeat(60)}`] }));
    expect(matching.findings).toEqual([]);
  });

  it('fails, low, a bucket without a policy', async () => {
    serveS3(s3, s3control, { buckets: [{ name: 'logs', region: 'eu-west-1', policy: null }] });
    const result = await audit([secureTransport]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      checkId: 's3.secure-transport',
      severity: 'low',
      region: 'global',
      resource: { type: 'AWS::S3::Bucket', id: 'logs' },
      details: { bucket: 'logs', region: 'eu-west-1', hasPolicy: false },
    });
    expect(result.findings[0]!.message).toBe('Bucket logs (eu-west-1) has no bucket policy, so nothing denies requests made over plain HTTP.');
  });

  it.each([
    ['an Allow instead of a Deny', denyHttp({ Effect: 'Allow' })],
    ['a named principal', denyHttp({ Principal: { AWS: 'arn:aws:iam::123456789012:role/App' } })],
    ['only some actions', denyHttp({ Action: ['s3:GetObject', 's3:PutObject'] })],
    ['the bucket ARN only, not its objects', denyHttp({ Resource: 'arn:aws:s3:::logs' })],
    ['SecureTransport true', denyHttp({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } })],
    [
      'an extra condition that exempts some callers',
      denyHttp({ Condition: { Bool: { 'aws:SecureTransport': 'false' }, StringNotEquals: { 'aws:PrincipalAccount': '123456789012' } } }),
    ],
    ['no condition key about TLS', denyHttp({ Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } })],
  ])('fails a policy whose deny has %s', async (_, deny) => {
    const result = await judge(READ_FOR_PARTNER, deny);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.resource.id, f.message, f.details?.hasPolicy])).toEqual([
      ['logs', 'The policy of bucket logs (eu-west-1) has no statement denying every S3 action to everyone when aws:SecureTransport is false.', true],
    ]);
  });

  it('reports errors per bucket (AccessDenied, malformed policy) and judges the others', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'locked', policy: awsError('AccessDenied', 'Access Denied') },
        { name: 'garbled', policy: 'not json' },
        { name: 'logs', policy: policyText(denyHttp()) },
      ],
    });
    const result = await audit([secureTransport]);
    expect(result.findings).toEqual([]);
    expect(result.errors.map((e) => [e.resource, e.code])).toEqual([
      ['garbled', 'MalformedPolicyDocument'],
      ['locked', 'AccessDenied'],
    ]);
    expect(result.stats.byCheck['s3.secure-transport']).toEqual({ passed: 1, failed: 0, errors: 2 });
  });

  it('has nothing to say about an account without buckets', async () => {
    serveS3(s3, s3control, { buckets: [] });
    const result = await audit([secureTransport]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
  });
});
