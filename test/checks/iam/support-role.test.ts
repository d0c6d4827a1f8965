import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import supportRole from '../../../checks/iam/support-role.js';
import { audit, awsError } from '../../helpers/aws.js';
import { authorizationDetailsPage, awsManaged, customerManaged, groupDetail, roleDetail, serviceLinkedRole, userDetail } from '../../helpers/iam-fixtures.js';

const iam = mockClient(IAMClient);

describe('iam.support-role', () => {
  beforeEach(() => iam.reset());

  it('passes when a role has AWSSupportAccess attached', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolves(authorizationDetailsPage({ users: [userDetail('alice')], roles: [roleDetail('support', { attached: [awsManaged('AWSSupportAccess')] })] }));
    const result = await audit([supportRole]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['iam.support-role']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('passes when a group or a user holds it, in any partition', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolves(authorizationDetailsPage({ groups: [groupDetail('support', { attached: [awsManaged('AWSSupportAccess', 'aws-us-gov')] })] }));
    expect((await audit([supportRole], { account: { roleArn: 'arn:aws-us-gov:iam::123456789012:role/AuditReadOnly' } })).findings).toEqual([]);
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolves(authorizationDetailsPage({ users: [userDetail('alice', { attached: [awsManaged('AWSSupportAccess')] })] }));
    expect((await audit([supportRole])).findings).toEqual([]);
  });

  it('fails, low, when nobody holds it; a customer policy of the same name does not count', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        users: [userDetail('alice', { attached: [customerManaged('AWSSupportAccess')] }), userDetail('bob')],
        groups: [groupDetail('admins', { attached: [awsManaged('AdministratorAccess')] })],
        roles: [roleDetail('deployer'), serviceLinkedRole('AWSServiceRoleForSupport')],
      }),
    );
    const result = await audit([supportRole]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      checkId: 'iam.support-role',
      severity: 'low',
      region: 'global',
      resource: { type: 'AWS::::Account', id: '123456789012' },
      details: { users: 2, groups: 1, roles: 2 },
    });
    expect(result.findings[0]!.message).toBe(
      "None of the account's 2 users, 1 groups and 2 roles has the AWSSupportAccess policy attached: no identity is set up to manage AWS Support cases.",
    );
    expect(result.stats.byCheck['iam.support-role']).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('reports an error, not a finding, when the authorization details cannot be read', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GetAccountAuthorizationDetails'));
    const result = await audit([supportRole]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.support-role', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GetAccountAuthorizationDetails' },
    ]);
    expect(result.stats.byCheck['iam.support-role']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
