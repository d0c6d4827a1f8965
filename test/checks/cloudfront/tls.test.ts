import { ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { beforeEach, describe, expect, it } from 'vitest';
import originTls from '../../../checks/cloudfront/origin-tls.js';
import viewerTls from '../../../checks/cloudfront/viewer-tls.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { cloudfront, customOrigin, distribution, OWNER, s3Origin, serveDistributions } from './cloudfront-fixtures.js';

describe('cloudfront.viewer-tls and cloudfront.origin-tls', () => {
  beforeEach(() => cloudfront.reset());

  it('declare their references and dataset', () => {
    expect(viewerTls).toMatchObject({
      id: 'cloudfront.viewer-tls',
      scope: 'global',
      severity: 'medium',
      references: { securityHub: 'CloudFront.1, CloudFront.3, CloudFront.8' },
      uses: ['cloudfront.distributions'],
    });
    expect(originTls).toMatchObject({
      id: 'cloudfront.origin-tls',
      scope: 'global',
      severity: 'medium',
      references: { securityHub: 'CloudFront.9, CloudFront.10' },
      uses: ['cloudfront.distributions'],
    });
  });

  it('pass distributions on HTTPS with a current policy, across pages; the default certificate is not judged on its policy', async () => {
    serveDistributions([
      [distribution('E1AAA')],
      [distribution('E2BBB', { ViewerCertificate: { CloudFrontDefaultCertificate: true, MinimumProtocolVersion: 'TLSv1', CertificateSource: 'cloudfront' } })],
    ]);
    const result = await audit([viewerTls, originTls]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['cloudfront.viewer-tls']).toEqual({ passed: 2, failed: 0, errors: 0 });
    expect(cloudfront.commandCalls(ListDistributionsCommand)).toHaveLength(2);
  });

  it('viewer-tls fails each allow-all behaviour and an old security policy with a custom certificate', async () => {
    serveDistributions([
      [
        distribution('E1AAA', {
          DefaultCacheBehavior: { TargetOriginId: 'assets-bucket', ViewerProtocolPolicy: 'allow-all' },
          CacheBehaviors: { Quantity: 1, Items: [{ PathPattern: '/legacy/*', TargetOriginId: 'api', ViewerProtocolPolicy: 'allow-all' }] },
          ViewerCertificate: {
            IAMCertificateId: 'ASCAEXAMPLE',
            SSLSupportMethod: 'sni-only',
            MinimumProtocolVersion: 'TLSv1.2_2019',
            CertificateSource: 'iam',
          },
        }),
      ],
    ]);
    const result = await audit([viewerTls]);
    expect(result.errors).toEqual([]);
    const messages = result.findings.map((f) => f.message).sort();
    expect(messages).toEqual([
      'CloudFront distribution E1AAA (shop.example.com) accepts viewers with security policy TLSv1.2_2019, older than TLSv1.2_2021.',
      'CloudFront distribution E1AAA (shop.example.com) serves its default cache behaviour over plain HTTP (viewer protocol policy allow-all).',
      'CloudFront distribution E1AAA (shop.example.com) serves path /legacy/* over plain HTTP (viewer protocol policy allow-all).',
    ]);
    const legacy = result.findings.find((f) => f.details?.pathPattern === '/legacy/*')!;
    expect(legacy).toMatchObject({
      severity: 'medium',
      region: 'global',
      resource: { type: 'AWS::CloudFront::Distribution', id: 'E1AAA', arn: `arn:aws:cloudfront::${OWNER}:distribution/E1AAA` },
      fingerprint: findingFingerprint({
        checkId: 'cloudfront.viewer-tls',
        accountId: OWNER,
        region: 'global',
        resourceId: 'E1AAA',
        subKey: 'behavior:/legacy/*',
      }),
      details: { distributionId: 'E1AAA', aliases: 'shop.example.com', viewerProtocolPolicy: 'allow-all' },
    });
  });

  it('viewer-tls reports a security policy it does not know as an error, not a pass', async () => {
    serveDistributions([
      [
        distribution('E1AAA', {
          ViewerCertificate: {
            ACMCertificateArn: 'arn:aws:acm:us-east-1:1:certificate/x',
            MinimumProtocolVersion: 'TLSv9_2030' as 'TLSv1',
            CertificateSource: 'acm',
          },
        }),
      ],
    ]);
    const result = await audit([viewerTls]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ code: 'UnknownSecurityPolicy', resource: 'E1AAA' })]);
  });

  it('origin-tls fails http-only, match-viewer behind allow-all, and SSLv3/TLSv1 to custom origins; S3 origins are not judged', async () => {
    serveDistributions([
      [
        distribution('E1AAA', {
          Origins: { Quantity: 3, Items: [s3Origin, customOrigin('api', 'http-only'), customOrigin('legacy', 'https-only', ['SSLv3', 'TLSv1', 'TLSv1.2'])] },
        }),
        distribution('E2BBB', {
          Origins: { Quantity: 1, Items: [customOrigin('web', 'match-viewer')] },
          DefaultCacheBehavior: { TargetOriginId: 'web', ViewerProtocolPolicy: 'allow-all' },
          CacheBehaviors: { Quantity: 0 },
        }),
        distribution('E3CCC', { Origins: { Quantity: 1, Items: [customOrigin('web', 'match-viewer')] }, CacheBehaviors: { Quantity: 0 } }),
      ],
    ]);
    const result = await audit([originTls]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.message).sort()).toEqual([
      'CloudFront distribution E1AAA (shop.example.com) may reach origin legacy (legacy.example.com) over SSLv3 or TLSv1.',
      'CloudFront distribution E1AAA (shop.example.com) reaches origin api (api.example.com) over plain HTTP (origin protocol policy http-only).',
      'CloudFront distribution E2BBB (shop.example.com) reaches origin web (web.example.com) over plain HTTP (origin protocol policy match-viewer, and viewers may use HTTP).',
    ]);
    expect(result.stats.byCheck['cloudfront.origin-tls']).toEqual({ passed: 1, failed: 3, errors: 0 });
  });

  it('report the listing failing as an error', async () => {
    serveDistributions(awsError('AccessDenied', 'not authorized to perform: cloudfront:ListDistributions'));
    const result = await audit([viewerTls, originTls]);
    expect(result.findings).toEqual([]);
    expect(result.errors.map((e) => [e.checkId, e.code])).toEqual([
      ['cloudfront.origin-tls', 'AccessDenied'],
      ['cloudfront.viewer-tls', 'AccessDenied'],
    ]);
  });
});
