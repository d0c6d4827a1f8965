import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import exposedAccessKey from '../../../checks/iam/exposed-access-key.js';
import { audit, awsError } from '../../helpers/aws.js';
import { authorizationDetailsPage, awsManaged, customerManaged, groupDetail, userDetail } from '../../helpers/iam-fixtures.js';

const iam = mockClient(IAMClient);

describe('iam.exposed-access-key', () => {
  beforeEach(() => iam.reset());

  it('passes users without a quarantine policy', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolves(authorizationDetailsPage({ users: [userDetail('alice', { attached: [awsManaged('ReadOnlyAccess')] }), userDetail('bob')] }));
    const result = await audit([exposedAccessKey]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['iam.exposed-access-key']).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, critical, a user AWS quarantined, and offers the deactivate-key fix', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        users: [userDetail('ci-bot', { attached: [awsManaged('AWSCompromisedKeyQuarantineV3'), customerManaged('Deploy')] }), userDetail('alice')],
      }),
    );
    const result = await audit([exposedAccessKey]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      checkId: 'iam.exposed-access-key',
      severity: 'critical',
      region: 'global',
      resource: { type: 'AWS::IAM::User', id: 'ci-bot', arn: 'arn:aws:iam::123456789012:user/ci-bot' },
      details: { userName: 'ci-bot', quarantinePolicies: 'AWSCompromisedKeyQuarantineV3' },
    });
    expect(result.findings[0]!.message).toBe(
      'AWS found an access key of IAM user ci-bot in public and attached AWSCompromisedKeyQuarantineV3; until the key is deactivated it works for every action the quarantine does not deny.',
    );
    expect(exposedAccessKey.fix).toBe('iam.deactivate-access-key');
    expect(result.stats.byCheck['iam.exposed-access-key']).toEqual({ passed: 1, failed: 1, errors: 0 });
  });

  it('recognises every quarantine version in every partition, and ignores customer look-alikes and groups', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        users: [
          userDetail('old', { attached: [awsManaged('AWSCompromisedKeyQuarantine')] }),
          userDetail('china', { attached: [awsManaged('AWSCompromisedKeyQuarantineV2', 'aws-cn')] }),
          userDetail('lookalike', { attached: [customerManaged('AWSCompromisedKeyQuarantine')] }),
        ],
        groups: [groupDetail('odd', { attached: [awsManaged('AWSCompromisedKeyQuarantineV2')] })],
      }),
    );
    const result = await audit([exposedAccessKey]);
    expect(result.findings.map((f) => f.resource.id).sort()).toEqual(['china', 'old']);
  });

  it('reports an error, not a pass, when the authorization details cannot be read', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GetAccountAuthorizationDetails'));
    const result = await audit([exposedAccessKey]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.exposed-access-key', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GetAccountAuthorizationDetails' },
    ]);
    expect(result.stats.byCheck['iam.exposed-access-key']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
