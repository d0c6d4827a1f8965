import { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import enabled from '../../../checks/securityhub/enabled.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { coverage } from '../../../src/store/diff.js';
import { formatTable } from '../../../src/terminal/format.js';
import { audit, awsError } from '../../helpers/aws.js';
import { serveRegions, TWO_REGIONS } from '../ec2/regional-fixtures.js';

const hub = mockClient(SecurityHubClient);
const ec2 = mockClient(EC2Client);
const CHECK = 'securityhub.enabled';
const OWNER = '123456789012';

const notSubscribed = () => awsError('InvalidAccessException', `Account ${OWNER} is not subscribed to AWS Security Hub`);
/** What the SDK throws when the region has no Security Hub endpoint: DNS has no such name. */
const noEndpoint = (region: string) =>
  Object.assign(new Error(`getaddrinfo ENOTFOUND securityhub.${region}.amazonaws.com`), {
    code: 'ENOTFOUND',
    hostname: `securityhub.${region}.amazonaws.com`,
    syscall: 'getaddrinfo',
  });

function serve(byRegion: Record<string, 'on' | Error>) {
  serveRegions(ec2);
  hub.on(DescribeHubCommand).callsFake(async (_input, getClient) => {
    const region = await getClient().config.region();
    const state = byRegion[region] ?? notSubscribed();
    if (state instanceof Error) throw state;
    return { HubArn: `arn:aws:securityhub:${region}:${OWNER}:hub/default`, SubscribedAt: '2025-03-01T10:00:00.000Z', AutoEnableControls: true };
  });
}

describe('securityhub.enabled', () => {
  beforeEach(() => {
    hub.reset();
    ec2.reset();
  });

  it('declares its references and dataset', () => {
    expect(enabled).toMatchObject({ id: CHECK, service: 'securityhub', scope: 'regional', severity: 'low', references: { cis: '4.16' } });
    expect(enabled.uses).toEqual(['securityhub.hub']);
  });

  it('passes a region where Security Hub is on, fails one where it is not subscribed', async () => {
    serve({ 'us-east-1': 'on', 'eu-west-1': notSubscribed() });
    const result = await audit([enabled], { account: { regions: TWO_REGIONS } });
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'low',
        accountId: OWNER,
        region: 'eu-west-1',
        resource: { type: 'AWS::SecurityHub::Hub', id: 'eu-west-1' },
        message: 'Security Hub is not enabled in eu-west-1.',
        fingerprint: findingFingerprint({ checkId: CHECK, accountId: OWNER, region: 'eu-west-1', resourceId: 'eu-west-1' }),
        details: { region: 'eu-west-1' },
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
  });

  it('reports AccessDenied as an error, never a pass or a finding', async () => {
    serve({ 'us-east-1': awsError('AccessDeniedException', 'not authorized to perform: securityhub:DescribeHub') });
    const result = await audit([enabled]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, region: 'us-east-1', code: 'AccessDeniedException' })]);
  });

  it('lists a region without the service as skipped: not an error, not a pass, and nothing of it resolves', async () => {
    serve({ 'us-east-1': 'on', 'eu-west-1': noEndpoint('eu-west-1') });
    const result = await audit([enabled], { account: { regions: TWO_REGIONS } });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.scope.skippedChecks).toEqual([
      {
        checkId: CHECK,
        region: 'eu-west-1',
        reason: 'securityhub is not offered in eu-west-1: its endpoint securityhub.eu-west-1.amazonaws.com does not exist',
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 0 });
    expect(result.stats.checksRun).toBe(1);
    expect(formatTable(result)).toContain('Not available there (skipped, not passes): securityhub.enabled in eu-west-1');
    // An open finding of that region from an earlier scan stays open.
    const state = { checkId: CHECK, accountId: OWNER, region: 'eu-west-1', resourceId: 'eu-west-1' } as Parameters<typeof coverage>[0];
    expect(coverage(state, result)).toEqual({ covered: false, reason: 'service-not-offered' });
    expect(coverage({ ...state, region: 'us-east-1', resourceId: 'us-east-1' }, result)).toEqual({ covered: true });
  });

  it('keeps a resolver that cannot answer (EAI_AGAIN) an error', async () => {
    serve({
      'us-east-1': Object.assign(new Error('getaddrinfo EAI_AGAIN securityhub.us-east-1.amazonaws.com'), {
        code: 'EAI_AGAIN',
        hostname: 'securityhub.us-east-1.amazonaws.com',
      }),
    });
    const result = await audit([enabled]);
    expect(result.scope.skippedChecks).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'EAI_AGAIN' })]);
  });
});
