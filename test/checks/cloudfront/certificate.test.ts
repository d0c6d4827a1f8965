import { readFileSync } from 'node:fs';
import { GetServerCertificateCommand, IAMClient, ListServerCertificatesCommand, type ServerCertificateMetadata } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import certificate from '../../../checks/cloudfront/certificate.js';
import { audit, awsError, NOW } from '../../helpers/aws.js';
import { cloudfront, distribution, OWNER, serveDistributions } from './cloudfront-fixtures.js';

const iam = mockClient(IAMClient);
const pem = (name: string) => readFileSync(new URL(`../../fixtures/certificates/${name}.pem`, import.meta.url), 'utf8');
const inDays = (days: number) => new Date(NOW.getTime() + days * 86_400_000);

function iamCertificate(id: string, name: string, expiration: Date | undefined): ServerCertificateMetadata {
  return {
    ServerCertificateId: id,
    ServerCertificateName: name,
    Path: '/cloudfront/',
    Arn: `arn:aws:iam::${OWNER}:server-certificate/cloudfront/${name}`,
    UploadDate: new Date('2025-01-01T00:00:00Z'),
    ...(expiration ? { Expiration: expiration } : {}),
  } as ServerCertificateMetadata;
}

/** A distribution serving the IAM certificate with this id. */
const servedBy = (distributionId: string, certificateId: string) =>
  distribution(distributionId, {
    ViewerCertificate: { IAMCertificateId: certificateId, SSLSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021', CertificateSource: 'iam' },
  });

function serveCertificates(listed: ServerCertificateMetadata[], bodies: Record<string, string | Error>) {
  iam.on(ListServerCertificatesCommand).resolves({ ServerCertificateMetadataList: listed, IsTruncated: false });
  iam.on(GetServerCertificateCommand).callsFake((input: { ServerCertificateName: string }) => {
    const body = bodies[input.ServerCertificateName];
    if (body instanceof Error) throw body;
    if (body === undefined) throw awsError('NoSuchEntity', `The Server Certificate with name ${input.ServerCertificateName} cannot be found.`);
    const meta = listed.find((c) => c.ServerCertificateName === input.ServerCertificateName)!;
    return { ServerCertificate: { ServerCertificateMetadata: meta, CertificateBody: body } };
  });
}

describe('cloudfront.certificate', () => {
  beforeEach(() => {
    cloudfront.reset();
    iam.reset();
  });

  it('declares its datasets and severity', () => {
    expect(certificate).toMatchObject({
      id: 'cloudfront.certificate',
      scope: 'global',
      severity: 'high',
      uses: ['cloudfront.distributions', 'iam.serverCertificates', 'iam.serverCertificateBodies'],
    });
  });

  it('passes current certificates with strong keys, ACM and default ones without reading a certificate body, and reads a shared certificate once', async () => {
    serveDistributions([[servedBy('E1AAA', 'ASCARSA'), servedBy('E2BBB', 'ASCARSA'), servedBy('E3CCC', 'ASCAEC'), distribution('E4DDD')]]);
    serveCertificates([iamCertificate('ASCARSA', 'shop-rsa', inDays(200)), iamCertificate('ASCAEC', 'shop-ec', inDays(31))], {
      'shop-rsa': pem('rsa-2048'),
      'shop-ec': pem('ec-p256'),
    });
    const result = await audit([certificate]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['cloudfront.certificate']).toEqual({ passed: 4, failed: 0, errors: 0 });
    expect(
      iam
        .commandCalls(GetServerCertificateCommand)
        .map((c) => c.args[0].input.ServerCertificateName)
        .sort(),
    ).toEqual(['shop-ec', 'shop-rsa']);

    iam.reset();
    serveDistributions([[distribution('E4DDD')]]);
    const onlyAcm = await audit([certificate]);
    expect(onlyAcm.stats.byCheck['cloudfront.certificate']).toEqual({ passed: 1, failed: 0, errors: 0 });
    expect(iam.commandCalls(GetServerCertificateCommand)).toHaveLength(0);
  });

  it('fails an expired certificate, one within the warning window, and weak RSA and EC keys', async () => {
    serveDistributions([[servedBy('E1AAA', 'ASCAOLD'), servedBy('E2BBB', 'ASCASOON'), servedBy('E3CCC', 'ASCAWEAK')]]);
    serveCertificates(
      [iamCertificate('ASCAOLD', 'old', inDays(-3)), iamCertificate('ASCASOON', 'soon', inDays(10.5)), iamCertificate('ASCAWEAK', 'weak-ec', inDays(400))],
      { old: pem('rsa-1024'), soon: pem('rsa-2048'), 'weak-ec': pem('ec-p224') },
    );
    const result = await audit([certificate]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.resource.id, f.message]).sort()).toEqual([
      ['E1AAA', 'CloudFront distribution E1AAA (shop.example.com) serves IAM certificate old with a RSA 1024-bit key, weaker than RSA 2048.'],
      [
        'E1AAA',
        'CloudFront distribution E1AAA (shop.example.com) serves IAM certificate old, which expired 3 days ago (2026-11-20): viewers get a certificate error.',
      ],
      [
        'E2BBB',
        'CloudFront distribution E2BBB (shop.example.com) serves IAM certificate soon, which expires in 10 days (2026-12-04), within the 30-day warning window; IAM certificates are not renewed by AWS.',
      ],
      ['E3CCC', 'CloudFront distribution E3CCC (shop.example.com) serves IAM certificate weak-ec with a EC 224-bit key, weaker than EC 256.'],
    ]);
    const weak = result.findings.find((f) => f.resource.id === 'E3CCC')!;
    expect(weak.details).toMatchObject({ distributionId: 'E3CCC', certificateName: 'weak-ec', certificateId: 'ASCAWEAK', keyType: 'ec', keyBits: 224 });
    // Two problems of one distribution are two findings, told apart by their fingerprints.
    const e1 = result.findings.filter((f) => f.resource.id === 'E1AAA');
    expect(new Set(e1.map((f) => f.fingerprint)).size).toBe(2);
    expect(result.stats.byCheck['cloudfront.certificate']).toEqual({ passed: 0, failed: 4, errors: 0 });

    // The warning window comes from thresholds.serverCertificateExpiryDays.
    const narrow = await audit([certificate], { thresholds: { serverCertificateExpiryDays: 7 } });
    expect(narrow.findings.filter((f) => f.resource.id === 'E2BBB')).toEqual([]);
  });

  it('still reports an expired certificate when its body cannot be read, and reports the read as an error', async () => {
    serveDistributions([[servedBy('E1AAA', 'ASCAOLD'), servedBy('E2BBB', 'ASCAGONE'), servedBy('E3CCC', 'ASCABAD'), servedBy('E4DDD', 'ASCANODATE')]]);
    serveCertificates(
      [iamCertificate('ASCAOLD', 'old', inDays(-1)), iamCertificate('ASCABAD', 'garbled', inDays(100)), iamCertificate('ASCANODATE', 'no-date', undefined)],
      {
        old: awsError('AccessDenied', 'not authorized to perform: iam:GetServerCertificate'),
        garbled: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
        'no-date': pem('rsa-2048'),
      },
    );
    const result = await audit([certificate]);
    expect(result.findings.map((f) => f.message)).toEqual([
      'CloudFront distribution E1AAA (shop.example.com) serves IAM certificate old, which expired 1 day ago (2026-11-22): viewers get a certificate error.',
    ]);
    expect(result.errors.map((e) => [e.resource, e.code, e.message]).sort()).toEqual([
      ['E1AAA', 'AccessDenied', 'not authorized to perform: iam:GetServerCertificate'],
      [
        'E2BBB',
        'CertificateNotListed',
        'distribution E2BBB serves IAM server certificate ASCAGONE, which ListServerCertificates does not list (deleted, or not visible yet)',
      ],
      ['E3CCC', 'MalformedCertificate', 'the body of server certificate garbled is not a certificate this check can read'],
      ['E4DDD', 'MalformedResponse', 'ListServerCertificates gave no expiration date for server certificate no-date'],
    ]);
  });

  it('reports the certificate listing failing as an error for the distributions that need it', async () => {
    serveDistributions([[servedBy('E1AAA', 'ASCARSA')]]);
    iam.on(ListServerCertificatesCommand).rejects(awsError('AccessDenied', 'not authorized to perform: iam:ListServerCertificates'));
    const result = await audit([certificate]);
    expect(result.findings).toEqual([]);
    expect(result.errors.map((e) => [e.checkId, e.code])).toEqual([['cloudfront.certificate', 'AccessDenied']]);
  });
});
