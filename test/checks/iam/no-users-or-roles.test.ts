import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import noUsersOrRoles from '../../../checks/iam/no-users-or-roles.js';
import { audit, awsError } from '../../helpers/aws.js';
import { authorizationDetailsPage, roleDetail, serviceLinkedRole, userDetail } from '../../helpers/iam-fixtures.js';

const iam = mockClient(IAMClient);
const ACCOUNT_RESOURCE = { type: 'AWS::::Account', id: '123456789012' };

describe('iam.no-users-or-roles', () => {
  beforeEach(() => iam.reset());

  it('passes an account with an IAM user', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(authorizationDetailsPage({ users: [userDetail('alice')] }));
    const result = await audit([noUsersOrRoles]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['iam.no-users-or-roles']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('passes an account with only roles, such as the ones IAM Identity Center creates', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        roles: [
          serviceLinkedRole('AWSServiceRoleForSupport'),
          roleDetail('AWSReservedSSO_Admin_0123456789abcdef', { path: '/aws-reserved/sso.amazonaws.com/' }),
        ],
      }),
    );
    const result = await audit([noUsersOrRoles]);
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck['iam.no-users-or-roles']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('fails, medium, when only service-linked roles exist', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        roles: [serviceLinkedRole('AWSServiceRoleForSupport'), serviceLinkedRole('AWSServiceRoleForTrustedAdvisor', 'trustedadvisor.amazonaws.com')],
      }),
    );
    const result = await audit([noUsersOrRoles]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      checkId: 'iam.no-users-or-roles',
      severity: 'medium',
      region: 'global',
      resource: ACCOUNT_RESOURCE,
      details: { users: 0, roles: 0, serviceLinkedRoles: 2 },
    });
    expect(result.findings[0]!.message).toBe('The account has 0 IAM users and 0 roles besides 2 service-linked ones: all work happens as the root user.');
    expect(result.stats.byCheck['iam.no-users-or-roles']).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('fails an empty account', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(authorizationDetailsPage());
    const result = await audit([noUsersOrRoles]);
    expect(result.findings.map((f) => f.message)).toEqual([
      'The account has 0 IAM users and 0 roles besides 0 service-linked ones: all work happens as the root user.',
    ]);
  });

  it('reports an error, not a finding, when the authorization details cannot be read', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GetAccountAuthorizationDetails'));
    const result = await audit([noUsersOrRoles]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.no-users-or-roles', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GetAccountAuthorizationDetails' },
    ]);
    expect(result.stats.byCheck['iam.no-users-or-roles']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
