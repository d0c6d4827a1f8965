import { IAMClient, ListServerCertificatesCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import expiredServerCertificates from '../../../checks/iam/expired-server-certificates.js';
import { audit, awsError, NOW } from '../../helpers/aws.js';
import { serverCertificate } from '../../helpers/iam-fixtures.js';

const iam = mockClient(IAMClient);
const DAY_MS = 86_400_000;

function inDays(days: number): Date {
  return new Date(NOW.getTime() + days * DAY_MS);
}

describe('iam.expired-server-certificates', () => {
  beforeEach(() => iam.reset());

  it('passes certificates valid beyond the warning window, and an account without any', async () => {
    iam
      .on(ListServerCertificatesCommand)
      .resolves({ ServerCertificateMetadataList: [serverCertificate('www', inDays(200)), serverCertificate('api', inDays(31))] });
    const result = await audit([expiredServerCertificates]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['iam.expired-server-certificates']).toEqual({ passed: 2, failed: 0, errors: 0 });

    iam.on(ListServerCertificatesCommand).resolves({ ServerCertificateMetadataList: [] });
    const empty = await audit([expiredServerCertificates]);
    expect(empty.findings).toEqual([]);
    expect(empty.stats.byCheck['iam.expired-server-certificates']).toEqual({ passed: 0, failed: 0, errors: 0 });
  });

  it('fails, high, an expired certificate', async () => {
    iam.on(ListServerCertificatesCommand).resolves({ ServerCertificateMetadataList: [serverCertificate('www-2025', inDays(-45))] });
    const result = await audit([expiredServerCertificates]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      checkId: 'iam.expired-server-certificates',
      severity: 'high',
      region: 'global',
      resource: { type: 'AWS::IAM::ServerCertificate', id: 'www-2025', arn: 'arn:aws:iam::123456789012:server-certificate/www-2025' },
      details: { daysExpired: 45, expired: true, expiration: '2026-10-09T12:00:00.000Z' },
    });
    expect(result.findings[0]!.message).toBe('Server certificate www-2025 expired 45 days ago (2026-10-09) and is still stored in IAM.');
  });

  it('fails, low, a certificate expiring within the window, with the boundary day included', async () => {
    iam.on(ListServerCertificatesCommand).resolves({
      ServerCertificateMetadataList: [
        serverCertificate('at-boundary', inDays(30)),
        serverCertificate('just-outside', new Date(inDays(30).getTime() + 1_000)),
        serverCertificate('soon', inDays(12)),
        serverCertificate('hours-left', new Date(NOW.getTime() + 3_600_000)),
      ],
    });
    const result = await audit([expiredServerCertificates]);
    expect(result.findings.map((f) => [f.resource.id, f.severity, f.message]).sort()).toEqual([
      ['at-boundary', 'low', 'Server certificate at-boundary expires in 30 days (2026-12-23), within the 30-day warning window.'],
      ['hours-left', 'low', 'Server certificate hours-left expires within a day (2026-11-23), within the 30-day warning window.'],
      ['soon', 'low', 'Server certificate soon expires in 12 days (2026-12-05), within the 30-day warning window.'],
    ]);
    expect(result.stats.byCheck['iam.expired-server-certificates']).toEqual({ passed: 1, failed: 3, errors: 0 });
  });

  it('reads the window from the config and keeps one fingerprint as the certificate goes from expiring to expired', async () => {
    iam.on(ListServerCertificatesCommand).resolves({ ServerCertificateMetadataList: [serverCertificate('api', inDays(50))] });
    const wide = await audit([expiredServerCertificates], { thresholds: { serverCertificateExpiryDays: 60 } });
    expect(wide.findings.map((f) => f.severity)).toEqual(['low']);
    const later = await audit([expiredServerCertificates], { now: inDays(51) });
    expect(later.findings.map((f) => f.severity)).toEqual(['high']);
    expect(later.findings[0]!.fingerprint).toBe(wide.findings[0]!.fingerprint);
  });

  it('reports an error, not a pass, when a certificate has no expiration date', async () => {
    iam.on(ListServerCertificatesCommand).resolves({ ServerCertificateMetadataList: [{ ...serverCertificate('odd', inDays(10)), Expiration: undefined }] });
    const result = await audit([expiredServerCertificates]);
    expect(result.findings).toEqual([]);
    expect(result.errors[0]).toMatchObject({ checkId: 'iam.expired-server-certificates', code: 'MalformedServerCertificate' });
  });

  it('reports an error, not a pass, when the certificates cannot be listed', async () => {
    iam.on(ListServerCertificatesCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:ListServerCertificates'));
    const result = await audit([expiredServerCertificates]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.expired-server-certificates', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:ListServerCertificates' },
    ]);
    expect(result.stats.byCheck['iam.expired-server-certificates']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
