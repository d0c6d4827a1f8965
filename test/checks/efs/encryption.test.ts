import { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, EFSClient, type FileSystemDescription } from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import encryption from '../../../checks/efs/encryption.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { serveRegions, TWO_REGIONS, type Pages } from '../ec2/regional-fixtures.js';

const efs = mockClient(EFSClient);
const ec2 = mockClient(EC2Client);
const CHECK = 'efs.encryption';
const OWNER = '123456789012';

function fileSystem(id: string, overrides: Partial<FileSystemDescription> = {}, region = 'us-east-1'): FileSystemDescription {
  return {
    OwnerId: OWNER,
    CreationToken: `token-${id}`,
    FileSystemId: id,
    FileSystemArn: `arn:aws:elasticfilesystem:${region}:${OWNER}:file-system/${id}`,
    CreationTime: new Date('2025-05-01T10:00:00Z'),
    LifeCycleState: 'available',
    Name: 'shared-home',
    NumberOfMountTargets: 2,
    SizeInBytes: { Value: 1_610_612_736 },
    PerformanceMode: 'generalPurpose',
    Encrypted: true,
    KmsKeyId: `arn:aws:kms:${region}:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    ThroughputMode: 'elastic',
    Tags: [{ Key: 'Name', Value: 'shared-home' }],
    ...overrides,
  };
}

/** DescribeFileSystems by region of the asking client, paginated with Marker / NextMarker. */
function serveFileSystems(byRegion: Record<string, Pages<FileSystemDescription> | Error>) {
  serveRegions(ec2);
  efs.on(DescribeFileSystemsCommand).callsFake(async (input: { Marker?: string }, getClient) => {
    const answer = byRegion[await getClient().config.region()] ?? [];
    if (answer instanceof Error) throw answer;
    const pages = answer.length === 0 ? [[]] : Array.isArray(answer[0]) ? (answer as FileSystemDescription[][]) : [answer as FileSystemDescription[]];
    const index = input.Marker ? Number(input.Marker.split(':')[1]) : 0;
    return { FileSystems: pages[index] ?? [], ...(index + 1 < pages.length ? { NextMarker: `m:${index + 1}` } : {}) };
  });
}

describe('efs.encryption', () => {
  beforeEach(() => {
    efs.reset();
    ec2.reset();
  });

  it('declares its references and dataset', () => {
    expect(encryption).toMatchObject({ id: CHECK, service: 'efs', scope: 'regional', severity: 'medium', references: { cis: '2.3.1', securityHub: 'EFS.1' } });
    expect(encryption.uses).toEqual(['efs.fileSystems']);
  });

  it('passes encrypted file systems', async () => {
    serveFileSystems({ 'us-east-1': [fileSystem('fs-0000000000000a001'), fileSystem('fs-0000000000000a002')] });
    const result = await audit([encryption]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, medium, an unencrypted file system, on every page, with its name and size', async () => {
    serveFileSystems({
      'us-east-1': [
        [fileSystem('fs-0000000000000a001')],
        [fileSystem('fs-0123456789abcdef0', { Encrypted: false, KmsKeyId: undefined, Name: undefined, Tags: [{ Key: 'Name', Value: '<!here> exports' }] })],
      ],
    });
    const result = await audit([encryption]);
    expect(efs.commandCalls(DescribeFileSystemsCommand).map((c) => c.args[0].input)).toEqual([{ MaxItems: 100 }, { MaxItems: 100, Marker: 'm:1' }]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'medium',
        accountId: OWNER,
        region: 'us-east-1',
        resource: {
          type: 'AWS::EFS::FileSystem',
          id: 'fs-0123456789abcdef0',
          arn: `arn:aws:elasticfilesystem:us-east-1:${OWNER}:file-system/fs-0123456789abcdef0`,
          tags: { Name: '<!here> exports' },
        },
        message:
          'EFS file system fs-0123456789abcdef0 (<!here> exports, 1.5 GiB) is not encrypted at rest; encryption can only be set at creation, so the data must move to a new, encrypted file system.',
        fingerprint: findingFingerprint({ checkId: CHECK, accountId: OWNER, region: 'us-east-1', resourceId: 'fs-0123456789abcdef0' }),
        details: {
          fileSystemId: 'fs-0123456789abcdef0',
          name: '<!here> exports',
          sizeBytes: 1_610_612_736,
          lifeCycleState: 'available',
          performanceMode: 'generalPurpose',
          ownerId: OWNER,
        },
      },
    ]);
  });

  it('builds the ARN when the answer has none, skips file systems being deleted, and judges each region', async () => {
    serveFileSystems({
      'us-east-1': [fileSystem('fs-0000000000000b001', { Encrypted: false, FileSystemArn: undefined, SizeInBytes: undefined, Name: undefined, Tags: [] })],
      'eu-west-1': [
        fileSystem('fs-0000000000000b002', { Encrypted: false, LifeCycleState: 'deleting' }, 'eu-west-1'),
        fileSystem('fs-0000000000000b003', {}, 'eu-west-1'),
      ],
    });
    const result = await audit([encryption], { account: { regions: TWO_REGIONS } });
    expect(result.findings.map((f) => [f.region, f.resource.arn, f.message])).toEqual([
      [
        'us-east-1',
        `arn:aws:elasticfilesystem:us-east-1:${OWNER}:file-system/fs-0000000000000b001`,
        'EFS file system fs-0000000000000b001 is not encrypted at rest; encryption can only be set at creation, so the data must move to a new, encrypted file system.',
      ],
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
  });

  it('reports an error, not a pass, for a file system whose answer lacks Encrypted, and the region when the listing fails', async () => {
    serveFileSystems({ 'us-east-1': [fileSystem('fs-0000000000000c001', { Encrypted: undefined }), fileSystem('fs-0000000000000c002')] });
    let result = await audit([encryption]);
    expect(result.errors).toEqual([
      {
        checkId: CHECK,
        region: 'us-east-1',
        code: 'MalformedResponse',
        message: 'DescribeFileSystems returned no Encrypted value for fs-0000000000000c001',
        resource: 'fs-0000000000000c001',
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 1 });

    efs.reset();
    serveFileSystems({ 'us-east-1': awsError('AccessDeniedException', 'User is not authorized to perform: elasticfilesystem:DescribeFileSystems') });
    result = await audit([encryption]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, region: 'us-east-1', code: 'AccessDeniedException' })]);
    expect(result.errors[0]).not.toHaveProperty('resource');
  });
});
