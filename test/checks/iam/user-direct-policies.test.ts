import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import userDirectPolicies from '../../../checks/iam/user-direct-policies.js';
import { audit, awsError } from '../../helpers/aws.js';
import { authorizationDetailsPage, awsManaged, customerManaged, groupDetail, inlinePolicy, roleDetail, userDetail } from '../../helpers/iam-fixtures.js';

const iam = mockClient(IAMClient);

describe('iam.user-direct-policies', () => {
  beforeEach(() => iam.reset());

  it('passes users who get their permissions through groups; group and role policies are not its business', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        users: [userDetail('alice', { groups: ['admins'] }), userDetail('bob', { groups: ['readers'] })],
        groups: [groupDetail('admins', { attached: [awsManaged('AdministratorAccess')], inline: [inlinePolicy('extra')] })],
        roles: [roleDetail('deployer', { attached: [customerManaged('Deploy')], inline: [inlinePolicy('ops')] })],
      }),
    );
    const result = await audit([userDirectPolicies]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['iam.user-direct-policies']).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, low, once per user, naming the managed and inline policies', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        users: [
          userDetail('alice', { attached: [awsManaged('AdministratorAccess'), customerManaged('Billing')], inline: [inlinePolicy('s3-reports')] }),
          userDetail('bob', { inline: [inlinePolicy('<script>')] }),
          userDetail('carol', { groups: ['readers'] }),
        ],
      }),
    );
    const result = await audit([userDirectPolicies]);
    expect(result.findings).toHaveLength(2);
    const alice = result.findings.find((f) => f.resource.id === 'alice')!;
    expect(alice).toMatchObject({
      checkId: 'iam.user-direct-policies',
      severity: 'low',
      region: 'global',
      resource: { type: 'AWS::IAM::User', id: 'alice', arn: 'arn:aws:iam::123456789012:user/alice' },
      details: { managedPolicies: 'AdministratorAccess, Billing', inlinePolicies: 's3-reports', managedCount: 2, inlineCount: 1 },
    });
    expect(alice.message).toBe('IAM user alice has 3 policies of its own: 2 managed (AdministratorAccess, Billing) and 1 inline (s3-reports).');
    // AWS strings are carried raw; the renderers escape them.
    expect(result.findings.find((f) => f.resource.id === 'bob')!.message).toBe('IAM user bob has 1 policy of its own: 1 inline (<script>).');
    expect(result.stats.byCheck['iam.user-direct-policies']).toEqual({ passed: 1, failed: 2, errors: 0 });
  });

  it("leaves AWS's compromised-key quarantine policy to iam.exposed-access-key", async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        users: [
          userDetail('leaked', { attached: [awsManaged('AWSCompromisedKeyQuarantineV3')] }),
          userDetail('leaked-too', { attached: [awsManaged('AWSCompromisedKeyQuarantineV2'), awsManaged('ReadOnlyAccess')] }),
        ],
      }),
    );
    const result = await audit([userDirectPolicies]);
    expect(result.findings.map((f) => f.message)).toEqual(['IAM user leaked-too has 1 policy of its own: 1 managed (ReadOnlyAccess).']);
    expect(result.stats.byCheck['iam.user-direct-policies']).toEqual({ passed: 1, failed: 1, errors: 0 });
  });

  it('reports an error, not a pass, when the authorization details cannot be read', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GetAccountAuthorizationDetails'));
    const result = await audit([userDirectPolicies]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.user-direct-policies', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GetAccountAuthorizationDetails' },
    ]);
    expect(result.stats.byCheck['iam.user-direct-policies']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
