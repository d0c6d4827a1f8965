import { GenerateCredentialReportCommand, GetCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import rootMfa from '../../../checks/iam/root-mfa.js';
import { audit, awsError, credentialReportCsv, NOW, rootReportRow, userReportRow } from '../../helpers/aws.js';

const iam = mockClient(IAMClient);

function serveReport(rows: Parameters<typeof credentialReportCsv>[0]) {
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iam.on(GetCredentialReportCommand).resolves({ Content: credentialReportCsv(rows), GeneratedTime: NOW, ReportFormat: 'text/csv' });
}

describe('iam.root-mfa', () => {
  beforeEach(() => iam.reset());

  it('passes when the root user has MFA', async () => {
    serveReport([rootReportRow({ mfa_active: 'true' }), userReportRow('alice')]);
    const result = await audit([rootMfa]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['iam.root-mfa']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('fails, critical, when the root user has no MFA', async () => {
    serveReport([rootReportRow({ mfa_active: 'false' })]);
    const result = await audit([rootMfa]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      checkId: 'iam.root-mfa',
      severity: 'critical',
      accountId: '123456789012',
      region: 'global',
      resource: { type: 'AWS::IAM::Root', id: 'root' },
    });
    expect(result.findings[0]!.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reports an error, not a pass, when the report cannot be read', async () => {
    iam.on(GenerateCredentialReportCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GenerateCredentialReport'));
    const result = await audit([rootMfa]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.root-mfa', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GenerateCredentialReport' },
    ]);
    expect(result.stats.byCheck['iam.root-mfa']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reports an error when the report has no root row', async () => {
    serveReport([userReportRow('alice')]);
    const result = await audit([rootMfa]);
    expect(result.findings).toEqual([]);
    expect(result.errors[0]).toMatchObject({ checkId: 'iam.root-mfa', code: 'MalformedCredentialReport' });
  });
});
