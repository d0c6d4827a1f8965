import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import adminPolicy from '../../../checks/iam/admin-policy.js';
import { audit, awsError } from '../../helpers/aws.js';
import {
  ADMIN_DOCUMENT,
  authorizationDetailsPage,
  awsManaged,
  awsManagedPolicy,
  groupDetail,
  inlinePolicy,
  managedPolicy,
  READ_ONLY_DOCUMENT,
  roleDetail,
  serviceLinkedRole,
  userDetail,
} from '../../helpers/iam-fixtures.js';

const iam = mockClient(IAMClient);

function doc(...statements: object[]) {
  return { Version: '2012-10-17', Statement: statements };
}

describe('iam.admin-policy', () => {
  beforeEach(() => iam.reset());

  it('passes narrow policies, and identities without a full-admin AWS-managed policy', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        users: [userDetail('alice', { inline: [inlinePolicy('reports')], attached: [awsManaged('ReadOnlyAccess')] })],
        groups: [groupDetail('readers', { attached: [awsManaged('ReadOnlyAccess')] })],
        roles: [
          roleDetail('deployer', { inline: [inlinePolicy('deploy', doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }))] }),
          serviceLinkedRole('AWSServiceRoleForSupport'),
        ],
        policies: [managedPolicy('Reports', READ_ONLY_DOCUMENT, { attachments: 3 }), awsManagedPolicy('ReadOnlyAccess', READ_ONLY_DOCUMENT, 2)],
      }),
    );
    const result = await audit([adminPolicy]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    // 1 customer policy, 2 inline policies, 4 identities.
    expect(result.stats.byCheck['iam.admin-policy']).toEqual({ passed: 7, failed: 0, errors: 0 });
  });

  it('fails each user, group and role with AWS-managed AdministratorAccess (or another AWS policy allowing * on *) attached', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        users: [userDetail('root-ish', { attached: [awsManaged('AdministratorAccess')] })],
        groups: [groupDetail('admins', { attached: [awsManaged('AdministratorAccess'), awsManaged('ReadOnlyAccess')] })],
        roles: [roleDetail('ops', { attached: [awsManaged('FutureFullAccess')] }), roleDetail('reader', { attached: [awsManaged('ReadOnlyAccess')] })],
        policies: [
          awsManagedPolicy('AdministratorAccess', ADMIN_DOCUMENT, 2),
          awsManagedPolicy('FutureFullAccess', ADMIN_DOCUMENT),
          awsManagedPolicy('ReadOnlyAccess', READ_ONLY_DOCUMENT, 2),
        ],
      }),
    );
    const result = await audit([adminPolicy]);
    expect(result.findings.map((f) => [f.resource.type, f.resource.id]).sort()).toEqual([
      ['AWS::IAM::Group', 'group/admins'],
      ['AWS::IAM::Role', 'role/ops'],
      ['AWS::IAM::User', 'user/root-ish'],
    ]);
    const group = result.findings.find((f) => f.resource.id === 'group/admins')!;
    expect(group).toMatchObject({
      severity: 'high',
      details: { policyKind: 'aws-managed', entityType: 'group', entityName: 'admins', policies: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    });
    expect(group.message).toBe('Group admins has the AWS-managed AdministratorAccess attached, which allows every action on every resource.');
    // The AWS policies themselves are not findings: where they are attached is.
    expect(result.findings.some((f) => f.resource.type === 'AWS::IAM::Policy')).toBe(false);
    expect(result.stats.byCheck['iam.admin-policy']).toEqual({ passed: 1, failed: 3, errors: 0 });
  });

  it('knows AdministratorAccess in any partition even when its document is not in the answer', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolves(authorizationDetailsPage({ roles: [roleDetail('gov-admin', { attached: [awsManaged('AdministratorAccess', 'aws-us-gov')] })] }));
    const result = await audit([adminPolicy]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['role/gov-admin']);
  });

  it('fails, high, an attached customer-managed policy whose URL-encoded default version allows * on *', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolves(authorizationDetailsPage({ policies: [managedPolicy('AdminAll', ADMIN_DOCUMENT, { attachments: 2, olderVersions: [READ_ONLY_DOCUMENT] })] }));
    const result = await audit([adminPolicy]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      checkId: 'iam.admin-policy',
      severity: 'high',
      region: 'global',
      resource: { type: 'AWS::IAM::Policy', id: 'arn:aws:iam::123456789012:policy/AdminAll', arn: 'arn:aws:iam::123456789012:policy/AdminAll' },
      details: { policyKind: 'managed', policyName: 'AdminAll', attachmentCount: 2, defaultVersion: 'v2' },
    });
    expect(result.findings[0]!.message).toBe(
      'Customer-managed policy AdminAll, attached to 2 identities, allows every action on every resource: statement 1 (Sid Everything).',
    );
  });

  it('judges the default version only, not older ones', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolves(authorizationDetailsPage({ policies: [managedPolicy('WasAdmin', READ_ONLY_DOCUMENT, { olderVersions: [ADMIN_DOCUMENT] })] }));
    const result = await audit([adminPolicy]);
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck['iam.admin-policy']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('passes unattached managed policies, including * on * permissions boundaries', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        policies: [managedPolicy('Unused', ADMIN_DOCUMENT, { attachments: 0 }), managedPolicy('Boundary', ADMIN_DOCUMENT, { attachments: 0, boundaryUses: 4 })],
      }),
    );
    const result = await audit([adminPolicy]);
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck['iam.admin-policy']).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails inline policies of users, groups and roles, with "*:*" and Action arrays, one finding each', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        users: [userDetail('ops', { inline: [inlinePolicy('admin', doc({ Effect: 'Allow', Action: '*:*', Resource: '*' }))] })],
        groups: [
          groupDetail('ops', { inline: [inlinePolicy('admin', { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: ['*'] } })] }),
        ],
        roles: [
          roleDetail('ops', {
            inline: [
              inlinePolicy('admin', doc(READ_ONLY_DOCUMENT.Statement[0]!, { Sid: 'Break<glass>', Effect: 'Allow', Action: ['ec2:*', '*'], Resource: '*' })),
              inlinePolicy('narrow'),
            ],
          }),
        ],
      }),
    );
    const result = await audit([adminPolicy]);
    // Same "<entity>/<policy>" id for all three: they stay three findings.
    expect(result.findings.map((f) => [f.resource.type, f.resource.id]).sort()).toEqual([
      ['AWS::IAM::GroupPolicy', 'ops/admin'],
      ['AWS::IAM::RolePolicy', 'ops/admin'],
      ['AWS::IAM::UserPolicy', 'ops/admin'],
    ]);
    expect(new Set(result.findings.map((f) => f.fingerprint)).size).toBe(3);
    const role = result.findings.find((f) => f.resource.type === 'AWS::IAM::RolePolicy')!;
    expect(role).toMatchObject({ severity: 'high', details: { policyKind: 'inline', entityType: 'role', entityName: 'ops', policyName: 'admin' } });
    expect(role.resource).not.toHaveProperty('arn');
    expect(role.message).toBe('Inline policy admin of role ops allows every action on every resource in 1 of 2 statements: statement 2 (Sid Break<glass>).');
    // The narrow inline policy, and the three identities' attached policies.
    expect(result.stats.byCheck['iam.admin-policy']).toEqual({ passed: 4, failed: 3, errors: 0 });
  });

  it('does not count Deny, NotAction or narrower resources', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(
      authorizationDetailsPage({
        roles: [
          roleDetail('guarded', {
            inline: [
              inlinePolicy('deny-all', doc({ Effect: 'Deny', Action: '*', Resource: '*' })),
              inlinePolicy('not-iam', doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })),
              inlinePolicy('one-bucket', doc({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::logs/*' })),
            ],
          }),
        ],
      }),
    );
    const result = await audit([adminPolicy]);
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck['iam.admin-policy']).toEqual({ passed: 4, failed: 0, errors: 0 });
  });

  it('reports an error naming the policy, not a pass, when a document cannot be read', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolves(authorizationDetailsPage({ users: [userDetail('alice', { inline: [{ PolicyName: 'broken', PolicyDocument: '%7B%22Version%22%3A' }] })] }));
    const result = await audit([adminPolicy]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ checkId: 'iam.admin-policy', code: 'MalformedPolicyDocument' });
    expect(result.errors[0]!.message).toMatch(/^the document of inline policy broken of user alice is malformed/);
    expect(result.stats.byCheck['iam.admin-policy']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reports an error, not a pass, when the authorization details cannot be read', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GetAccountAuthorizationDetails'));
    const result = await audit([adminPolicy]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.admin-policy', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GetAccountAuthorizationDetails' },
    ]);
    expect(result.stats.byCheck['iam.admin-policy']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
