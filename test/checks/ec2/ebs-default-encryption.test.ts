import { EC2Client, GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import ebsDefaultEncryption from '../../../checks/ec2/ebs-default-encryption.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { serveRegions, TWO_REGIONS, UNAUTHORIZED } from './regional-fixtures.js';

const ec2 = mockClient(EC2Client);
const CHECK = 'ec2.ebs-default-encryption';

/** GetEbsEncryptionByDefault answers for the region of the client that asks. */
function serveSetting(byRegion: Record<string, boolean>) {
  serveRegions(ec2);
  ec2.on(GetEbsEncryptionByDefaultCommand).callsFake(async (_input, getClient) => {
    const region = await getClient().config.region();
    return { EbsEncryptionByDefault: byRegion[region], SseType: 'sse-ebs' };
  });
}

describe('ec2.ebs-default-encryption', () => {
  beforeEach(() => ec2.reset());

  it('declares its references and dataset', () => {
    expect(ebsDefaultEncryption).toMatchObject({
      id: CHECK,
      service: 'ec2',
      scope: 'regional',
      severity: 'medium',
      references: { cis: '5.1.1', securityHub: 'EC2.7' },
    });
    expect(ebsDefaultEncryption.uses).toEqual(['ec2.ebsEncryptionByDefault']);
  });

  it('passes a region where EBS encryption by default is on', async () => {
    serveSetting({ 'us-east-1': true });
    const result = await audit([ebsDefaultEncryption]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('fails a region where it is off, with the region as the resource', async () => {
    serveSetting({ 'us-east-1': false });
    const result = await audit([ebsDefaultEncryption]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'medium',
        accountId: '123456789012',
        region: 'us-east-1',
        resource: { type: 'AWS::EC2::Region', id: 'us-east-1' },
        message: 'EBS encryption by default is off in us-east-1: new volumes are created unencrypted unless each launch asks for encryption.',
        fingerprint: findingFingerprint({ checkId: CHECK, accountId: '123456789012', region: 'us-east-1', resourceId: 'us-east-1' }),
        details: { region: 'us-east-1', ebsEncryptionByDefault: false },
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('reports an error, not a pass, when the setting cannot be read', async () => {
    serveRegions(ec2);
    ec2.on(GetEbsEncryptionByDefaultCommand).rejects(awsError('UnauthorizedOperation', `${UNAUTHORIZED}GetEbsEncryptionByDefault`));
    const result = await audit([ebsDefaultEncryption]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: CHECK, region: 'us-east-1', code: 'UnauthorizedOperation', message: `${UNAUTHORIZED}GetEbsEncryptionByDefault` },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reports an error, not a pass, when the answer carries no value', async () => {
    serveSetting({});
    const result = await audit([ebsDefaultEncryption]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, region: 'us-east-1', code: 'MalformedResponse' })]);
  });

  it('judges each region on its own setting', async () => {
    serveSetting({ 'us-east-1': true, 'eu-west-1': false });
    const result = await audit([ebsDefaultEncryption], { account: { regions: TWO_REGIONS } });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.region, f.resource])).toEqual([['eu-west-1', { type: 'AWS::EC2::Region', id: 'eu-west-1' }]]);
    expect(result.findings[0]!.message).toContain('off in eu-west-1');
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
  });
});
