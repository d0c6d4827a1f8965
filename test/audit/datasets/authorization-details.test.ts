import { GetAccountAuthorizationDetailsCommand, IAMClient, ListServerCertificatesCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import adminPolicy from '../../../checks/iam/admin-policy.js';
import exposedAccessKey from '../../../checks/iam/exposed-access-key.js';
import noUsersOrRoles from '../../../checks/iam/no-users-or-roles.js';
import supportRole from '../../../checks/iam/support-role.js';
import userDirectPolicies from '../../../checks/iam/user-direct-policies.js';
import { defineCheck } from '../../../src/audit/check.js';
import type { AuthorizationDetails } from '../../../src/audit/datasets/iam.js';
import type { DatasetId, DatasetTypes } from '../../../src/audit/datasets/index.js';
import { audit, awsError, NOW } from '../../helpers/aws.js';
import {
  authorizationDetailsPage,
  groupDetail,
  managedPolicy,
  READ_ONLY_DOCUMENT,
  roleDetail,
  serverCertificate,
  userDetail,
} from '../../helpers/iam-fixtures.js';

const iam = mockClient(IAMClient);

/** A check that only hands back what the dataset loaded. */
function probe<K extends DatasetId>(dataset: K) {
  const seen: { value?: DatasetTypes[K] } = {};
  const check = defineCheck({
    id: `test.probe-${dataset}`,
    title: 'probe',
    service: 'test',
    scope: 'global',
    severity: 'info',
    description: '',
    references: {},
    remediation: '',
    uses: [dataset],
    async run(ctx) {
      seen.value = await ctx.inventory.get(dataset);
      return [ctx.pass('probe')];
    },
  });
  return { check, seen };
}

function names(details: AuthorizationDetails | undefined) {
  return {
    users: details?.users.map((u) => u.UserName),
    groups: details?.groups.map((g) => g.GroupName),
    roles: details?.roles.map((r) => r.RoleName),
    policies: details?.policies.map((p) => p.PolicyName),
  };
}

describe('dataset iam.authorizationDetails', () => {
  beforeEach(() => iam.reset());

  it('follows IsTruncated/Marker to the last page and merges every list', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolvesOnce(authorizationDetailsPage({ users: [userDetail('alice'), userDetail('bob')], groups: [groupDetail('admins')] }, 'marker-1'))
      .resolvesOnce(authorizationDetailsPage({ users: [userDetail('carol')], roles: [roleDetail('deployer')] }, 'marker-2'))
      .resolvesOnce(authorizationDetailsPage({ roles: [roleDetail('reader')], policies: [managedPolicy('Reports', READ_ONLY_DOCUMENT)] }));
    const { check, seen } = probe('iam.authorizationDetails');
    const result = await audit([check]);
    expect(result.errors).toEqual([]);
    expect(names(seen.value)).toEqual({
      users: ['alice', 'bob', 'carol'],
      groups: ['admins'],
      roles: ['deployer', 'reader'],
      policies: ['Reports'],
    });
    const inputs = iam.commandCalls(GetAccountAuthorizationDetailsCommand).map((call) => call.args[0].input);
    expect(inputs.map((i) => i.Marker)).toEqual([undefined, 'marker-1', 'marker-2']);
    // Customer-managed policies only: AWS-managed ones are referenced by ARN from the attachments.
    expect(inputs[0]!.Filter).toEqual(['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy']);
  });

  it('stops when a page repeats a marker it already sent, instead of spinning, and does not trust the list', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolvesOnce(authorizationDetailsPage({ users: [userDetail('alice')] }, 'marker-1'))
      .resolvesOnce(authorizationDetailsPage({ users: [userDetail('bob')] }, 'marker-2'))
      .resolves(authorizationDetailsPage({ users: [userDetail('again')] }, 'marker-1'));
    const { check, seen } = probe('iam.authorizationDetails');
    const result = await audit([check]);
    expect(iam.commandCalls(GetAccountAuthorizationDetailsCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, 'marker-1', 'marker-2']);
    expect(seen.value).toBeUndefined();
    expect(result.errors).toMatchObject([{ code: 'PaginationLoop' }]);
  });

  it('stops when the same marker comes back forever', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(authorizationDetailsPage({ users: [userDetail('loop')] }, 'same'));
    const { check } = probe('iam.authorizationDetails');
    const result = await audit([check]);
    expect(iam.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(2);
    expect(result.errors.map((e) => e.code)).toEqual(['PaginationLoop']);
  });

  it('makes the call once however many checks read the dataset', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolvesOnce(authorizationDetailsPage({ users: [userDetail('alice')] }, 'marker-1'))
      .resolvesOnce(authorizationDetailsPage({ roles: [roleDetail('deployer')] }));
    const checks = [adminPolicy, userDirectPolicies, exposedAccessKey, noUsersOrRoles, supportRole, probe('iam.authorizationDetails').check];
    const result = await audit(checks);
    expect(result.errors).toEqual([]);
    expect(iam.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(2); // two pages, one load
    expect(result.stats.apiCallsByOperation['iam:GetAccountAuthorizationDetails']).toBe(2);
    expect(Object.keys(result.stats.byCheck)).toHaveLength(checks.length);
  });

  it('shares a failure with every check that needed the data, and nothing passes on a half-read account', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolvesOnce(authorizationDetailsPage({ users: [userDetail('alice')] }, 'marker-1'))
      .rejects(awsError('ServiceFailure', 'internal error'));
    const result = await audit([userDirectPolicies, supportRole]);
    expect(result.findings).toEqual([]);
    expect(result.errors.map((e) => [e.checkId, e.code])).toEqual([
      ['iam.support-role', 'ServiceFailure'],
      ['iam.user-direct-policies', 'ServiceFailure'],
    ]);
    expect(result.stats.byCheck['iam.user-direct-policies']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});

describe('dataset iam.serverCertificates', () => {
  beforeEach(() => iam.reset());

  const cert = (name: string) => serverCertificate(name, new Date(NOW.getTime() + 365 * 86_400_000));

  it('follows IsTruncated/Marker to the last page', async () => {
    iam
      .on(ListServerCertificatesCommand)
      .resolvesOnce({ ServerCertificateMetadataList: [cert('a'), cert('b')], IsTruncated: true, Marker: 'm1' })
      .resolvesOnce({ ServerCertificateMetadataList: [cert('c')], IsTruncated: true, Marker: 'm2' })
      .resolvesOnce({ ServerCertificateMetadataList: [cert('d')], IsTruncated: false });
    const { check, seen } = probe('iam.serverCertificates');
    const result = await audit([check]);
    expect(result.errors).toEqual([]);
    expect(seen.value?.map((c) => c.ServerCertificateName)).toEqual(['a', 'b', 'c', 'd']);
    expect(iam.commandCalls(ListServerCertificatesCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, 'm1', 'm2']);
  });

  it('ignores a marker on the last page (IsTruncated false)', async () => {
    iam.on(ListServerCertificatesCommand).resolves({ ServerCertificateMetadataList: [cert('a')], IsTruncated: false, Marker: 'stale' });
    const { check, seen } = probe('iam.serverCertificates');
    await audit([check]);
    expect(seen.value).toHaveLength(1);
    expect(iam.commandCalls(ListServerCertificatesCommand)).toHaveLength(1);
  });

  it('stops on a repeated marker with an error, not a partial list', async () => {
    iam.on(ListServerCertificatesCommand).resolves({ ServerCertificateMetadataList: [cert('a')], IsTruncated: true, Marker: 'same' });
    const { check } = probe('iam.serverCertificates');
    const result = await audit([check]);
    expect(result.errors).toMatchObject([
      { code: 'PaginationLoop', message: 'the service repeated pagination token "same" after 2 items: the listing may be incomplete' },
    ]);
    expect(iam.commandCalls(ListServerCertificatesCommand)).toHaveLength(2);
  });
});
