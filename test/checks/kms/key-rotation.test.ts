import { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand, ListKeysCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import keyRotation from '../../../checks/kms/key-rotation.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { serveRegions, TWO_REGIONS } from '../ec2/regional-fixtures.js';

const kms = mockClient(KMSClient);
const ec2 = mockClient(EC2Client);
const CHECK = 'kms.key-rotation';
const OWNER = '123456789012';

/** A key id like KMS makes them: the last characters distinguish the fixtures. */
const keyId = (n: number) => `1234abcd-12ab-34cd-56ef-${n.toString(16).padStart(12, '0')}`;
const arnOf = (id: string, region = 'us-east-1') => `arn:aws:kms:${region}:${OWNER}:key/${id}`;

/** An enabled customer-managed symmetric encryption key, unless overridden. */
function key(id: string, overrides: Partial<KeyMetadata> = {}, region = 'us-east-1'): KeyMetadata {
  return {
    AWSAccountId: OWNER,
    KeyId: id,
    Arn: arnOf(id, region),
    CreationDate: new Date('2025-02-01T09:00:00Z'),
    Enabled: true,
    Description: 'payments data key',
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    KeySpec: 'SYMMETRIC_DEFAULT',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    ...overrides,
  };
}

interface Region {
  /** One array per ListKeys page. */
  keys: KeyMetadata[][];
  aliases?: Record<string, string[]>;
  /** Rotation by key id: enabled, or the read's error; absent: off. */
  rotation?: Record<string, boolean | Error | 'absent'>;
  /** DescribeKey errors by key id. */
  describeErrors?: Record<string, Error>;
  listError?: Error;
}

function serveKeys(byRegion: Record<string, Region>) {
  serveRegions(ec2);
  const at = async (getClient: () => { config: { region: () => Promise<string> } }) => byRegion[await getClient().config.region()] ?? { keys: [[]] };
  kms.on(ListKeysCommand).callsFake(async (input: { Marker?: string }, getClient) => {
    const region = await at(getClient);
    if (region.listError) throw region.listError;
    const index = input.Marker ? Number(input.Marker.slice(1)) : 0;
    const page = region.keys[index] ?? [];
    const more = index + 1 < region.keys.length;
    return { Keys: page.map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })), Truncated: more, ...(more ? { NextMarker: `p${index + 1}` } : {}) };
  });
  kms.on(ListAliasesCommand).callsFake(async (_input, getClient) => {
    const region = await at(getClient);
    const aliases = Object.entries(region.aliases ?? {}).flatMap(([target, names]) => names.map((AliasName) => ({ AliasName, TargetKeyId: target })));
    // AWS-managed aliases come without a target for services never used: skipped.
    return { Aliases: [...aliases, { AliasName: 'alias/aws/unused' }], Truncated: false };
  });
  kms.on(DescribeKeyCommand).callsFake(async (input: { KeyId: string }, getClient) => {
    const region = await at(getClient);
    const error = region.describeErrors?.[input.KeyId];
    if (error) throw error;
    return { KeyMetadata: region.keys.flat().find((k) => k.KeyId === input.KeyId) };
  });
  kms.on(GetKeyRotationStatusCommand).callsFake(async (input: { KeyId: string }, getClient) => {
    const rotation = (await at(getClient)).rotation?.[input.KeyId] ?? false;
    if (rotation instanceof Error) throw rotation;
    if (rotation === 'absent') return {};
    return { KeyId: arnOf(input.KeyId), KeyRotationEnabled: rotation, ...(rotation ? { RotationPeriodInDays: 365 } : {}) };
  });
}

describe('kms.key-rotation', () => {
  beforeEach(() => {
    kms.reset();
    ec2.reset();
  });

  it('declares its references and dataset', () => {
    expect(keyRotation).toMatchObject({ id: CHECK, service: 'kms', scope: 'regional', severity: 'medium', references: { cis: '3.6', securityHub: 'KMS.4' } });
    expect(keyRotation.uses).toEqual(['kms.keys']);
  });

  it('passes a customer-managed key that rotates', async () => {
    serveKeys({ 'us-east-1': { keys: [[key(keyId(1))]], rotation: { [keyId(1)]: true } } });
    const result = await audit([keyRotation]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('fails, medium, a key that does not rotate, named by its aliases, across ListKeys pages', async () => {
    serveKeys({
      'us-east-1': {
        keys: [[key(keyId(1))], [key(keyId(2), { Description: '<!channel> legacy' })]],
        rotation: { [keyId(1)]: true },
        aliases: { [keyId(2)]: ['alias/payments', 'alias/legacy'] },
      },
    });
    const result = await audit([keyRotation]);
    expect(kms.commandCalls(ListKeysCommand).map((c) => c.args[0].input)).toEqual([{ Limit: 1000 }, { Limit: 1000, Marker: 'p1' }]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'medium',
        accountId: OWNER,
        region: 'us-east-1',
        resource: { type: 'AWS::KMS::Key', id: keyId(2), arn: arnOf(keyId(2)) },
        message: `KMS key ${keyId(2)} (alias/legacy, alias/payments) does not rotate its key material automatically: everything it encrypts depends on the same material for as long as the key lives.`,
        fingerprint: findingFingerprint({ checkId: CHECK, accountId: OWNER, region: 'us-east-1', resourceId: keyId(2) }),
        details: {
          keyId: keyId(2),
          aliases: 'alias/legacy, alias/payments',
          description: '<!channel> legacy',
          createdAt: '2025-02-01T09:00:00.000Z',
          multiRegion: false,
          keyState: 'Enabled',
        },
      },
    ]);
  });

  it('leaves out keys that cannot or need not rotate, and reads no rotation status for them', async () => {
    const outOfScope = [
      key(keyId(10), { KeyManager: 'AWS', Description: 'Default key for EBS' }),
      key(keyId(11), { KeyState: 'Disabled', Enabled: false }),
      key(keyId(12), { KeyState: 'PendingDeletion', Enabled: false, DeletionDate: new Date('2026-12-01T00:00:00Z') }),
      key(keyId(13), { KeySpec: 'RSA_2048', CustomerMasterKeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }),
      key(keyId(14), { KeySpec: 'HMAC_256', CustomerMasterKeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
      key(keyId(15), { Origin: 'EXTERNAL' }),
      key(keyId(16), { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 'cks-1234567890abcdef0' }),
    ];
    serveKeys({ 'us-east-1': { keys: [outOfScope] } });
    const result = await audit([keyRotation]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 0 });
    expect(kms.commandCalls(GetKeyRotationStatusCommand)).toHaveLength(0);
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(7);
  });

  it('judges a multi-Region replica on its primary when the primary region is audited, else on itself', async () => {
    const mrk = 'mrk-1234abcd12ab34cd56ef1234567890ab';
    const multi = (region: string, type: 'PRIMARY' | 'REPLICA') =>
      key(
        mrk,
        {
          MultiRegion: true,
          MultiRegionConfiguration: {
            MultiRegionKeyType: type,
            PrimaryKey: { Arn: arnOf(mrk, 'us-east-1'), Region: 'us-east-1' },
            ReplicaKeys: [{ Arn: arnOf(mrk, 'eu-west-1'), Region: 'eu-west-1' }],
          },
        },
        region,
      );
    serveKeys({ 'us-east-1': { keys: [[multi('us-east-1', 'PRIMARY')]] }, 'eu-west-1': { keys: [[multi('eu-west-1', 'REPLICA')]] } });
    let result = await audit([keyRotation], { account: { regions: TWO_REGIONS } });
    expect(result.findings.map((f) => [f.region, f.resource.id])).toEqual([['us-east-1', mrk]]);

    result = await audit([keyRotation], { account: { regions: ['eu-west-1'] } });
    expect(result.findings.map((f) => [f.region, f.message])).toEqual([
      [
        'eu-west-1',
        `KMS key ${mrk} does not rotate its key material automatically: everything it encrypts depends on the same material for as long as the key lives. It is a replica: rotation is set on its primary in us-east-1.`,
      ],
    ]);
  });

  it('reports a key its policy keeps from the audit role as an error for that key, and judges the others', async () => {
    serveKeys({
      'us-east-1': {
        keys: [[key(keyId(1)), key(keyId(2))]],
        describeErrors: {
          [keyId(1)]: awsError(
            'AccessDeniedException',
            `User: arn:aws:sts::${OWNER}:assumed-role/AuditReadOnly/x is not authorized to perform: kms:DescribeKey on resource: ${arnOf(keyId(1))} because no resource-based policy allows the kms:DescribeKey action`,
          ),
        },
      },
    });
    const result = await audit([keyRotation]);
    expect(result.findings.map((f) => f.resource.id)).toEqual([keyId(2)]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, region: 'us-east-1', code: 'AccessDeniedException', resource: keyId(1) })]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 1, errors: 1 });
  });

  it('reports a failed or empty rotation read as an error for that key, never a pass', async () => {
    serveKeys({
      'us-east-1': { keys: [[key(keyId(1)), key(keyId(2))]], rotation: { [keyId(1)]: awsError('ThrottlingException', 'Rate exceeded'), [keyId(2)]: 'absent' } },
    });
    const result = await audit([keyRotation]);
    expect(result.findings).toEqual([]);
    expect(result.errors.map((e) => [e.resource, e.code])).toEqual([
      [keyId(1), 'ThrottlingException'],
      [keyId(2), 'MalformedResponse'],
    ]);
  });

  it('asks nothing more of a region without keys, and reports a failed alias listing as an error', async () => {
    serveKeys({ 'us-east-1': { keys: [[]] } });
    const empty = await audit([keyRotation]);
    expect(empty.errors).toEqual([]);
    expect(kms.commandCalls(ListAliasesCommand)).toHaveLength(0);
    kms.reset();
    serveKeys({ 'us-east-1': { keys: [[key(keyId(1))]], rotation: { [keyId(1)]: true } } });
    kms.on(ListAliasesCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: kms:ListAliases'));
    const failed = await audit([keyRotation]);
    expect(failed.findings).toEqual([]);
    expect(failed.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'AccessDeniedException' })]);
  });

  it('reports the region as an error when the keys cannot be listed', async () => {
    serveKeys({ 'us-east-1': { keys: [[]], listError: awsError('AccessDeniedException', 'not authorized to perform: kms:ListKeys') } });
    const result = await audit([keyRotation]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'AccessDeniedException' })]);
    expect(result.errors[0]).not.toHaveProperty('resource');
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
