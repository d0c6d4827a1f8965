import { CloudFrontClient, ListDistributionsCommand, type DistributionSummary, type Origin } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';

/** Distributions and the CloudFront mock the cloudfront.* check tests share. */

export const cloudfront = mockClient(CloudFrontClient);
export const OWNER = '123456789012';

export const s3Origin: Origin = {
  Id: 'assets-bucket',
  DomainName: 'assets.s3.us-east-1.amazonaws.com',
  S3OriginConfig: { OriginAccessIdentity: '' },
  OriginAccessControlId: 'E2OAC',
  ConnectionAttempts: 3,
  ConnectionTimeout: 10,
};
export const customOrigin = (id: string, policy: 'http-only' | 'https-only' | 'match-viewer', protocols = ['TLSv1.2']): Origin => ({
  Id: id,
  DomainName: `${id}.example.com`,
  CustomOriginConfig: {
    HTTPPort: 80,
    HTTPSPort: 443,
    OriginProtocolPolicy: policy,
    OriginSslProtocols: { Quantity: protocols.length, Items: protocols as 'TLSv1.2'[] },
    OriginReadTimeout: 30,
    OriginKeepaliveTimeout: 5,
  },
});

/** A distribution that passes both checks, unless overridden. */
export function distribution(id: string, overrides: Partial<DistributionSummary> = {}): DistributionSummary {
  return {
    Id: id,
    ARN: `arn:aws:cloudfront::${OWNER}:distribution/${id}`,
    Status: 'Deployed',
    LastModifiedTime: new Date('2026-06-01T00:00:00Z'),
    DomainName: `${id.toLowerCase()}.cloudfront.net`,
    Aliases: { Quantity: 1, Items: ['shop.example.com'] },
    Origins: { Quantity: 2, Items: [s3Origin, customOrigin('api', 'https-only')] },
    DefaultCacheBehavior: { TargetOriginId: 'assets-bucket', ViewerProtocolPolicy: 'redirect-to-https' },
    CacheBehaviors: { Quantity: 1, Items: [{ PathPattern: '/api/*', TargetOriginId: 'api', ViewerProtocolPolicy: 'https-only' }] },
    CustomErrorResponses: { Quantity: 0 },
    Comment: 'shop front',
    PriceClass: 'PriceClass_100',
    Enabled: true,
    ViewerCertificate: {
      ACMCertificateArn: `arn:aws:acm:us-east-1:${OWNER}:certificate/abc`,
      SSLSupportMethod: 'sni-only',
      MinimumProtocolVersion: 'TLSv1.2_2021',
      CertificateSource: 'acm',
    },
    Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
    WebACLId: '',
    HttpVersion: 'http2',
    IsIPV6Enabled: true,
    Staging: false,
    ...overrides,
  } as DistributionSummary;
}

export function serveDistributions(pages: DistributionSummary[][] | Error) {
  cloudfront.on(ListDistributionsCommand).callsFake((input: { Marker?: string }) => {
    if (pages instanceof Error) throw pages;
    const index = input.Marker ? Number(input.Marker.slice(1)) : 0;
    const more = index + 1 < pages.length;
    return {
      DistributionList: {
        Marker: input.Marker ?? '',
        MaxItems: 100,
        IsTruncated: more,
        Quantity: pages[index]!.length,
        Items: pages[index],
        ...(more ? { NextMarker: `m${index + 1}` } : {}),
      },
    };
  });
}
