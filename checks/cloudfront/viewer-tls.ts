import { defineCheck } from '../../src/audit/check.js';
import { namedError } from '../../src/errors.js';
import { distributionLabel, judgeDistributions, type DistributionProblem } from '../../src/rules/cloudfront-distributions.js';

/** CloudFront's security policies for viewers, oldest first. */
const POLICIES = ['SSLv3', 'TLSv1', 'TLSv1_2016', 'TLSv1.1_2016', 'TLSv1.2_2018', 'TLSv1.2_2019', 'TLSv1.2_2021', 'TLSv1.2_2025', 'TLSv1.3_2025'];
const MINIMUM = POLICIES.indexOf('TLSv1.2_2021');

export default defineCheck({
  id: 'cloudfront.viewer-tls',
  title: 'CloudFront distributions serve viewers over current TLS only',
  service: 'cloudfront',
  scope: 'global',
  severity: 'medium',
  description:
    'A cache behaviour that allows plain HTTP serves pages, cookies and tokens that anyone on the path can read or change; a security policy older than TLSv1.2_2021 still accepts TLS 1.0/1.1 or weak ciphers.',
  references: { securityHub: 'CloudFront.1, CloudFront.3, CloudFront.8' },
  remediation:
    "Set every cache behaviour's viewer protocol policy to `redirect-to-https` (or `https-only`), and the distribution's security policy (ViewerCertificate MinimumProtocolVersion) to `TLSv1.2_2021` or newer, in the console or with `aws cloudfront update-distribution`.",
  uses: ['cloudfront.distributions'],
  run(ctx) {
    return judgeDistributions(ctx, (d) => {
      const label = distributionLabel(d);
      const behaviors = [
        { pattern: '(default)', policy: d.DefaultCacheBehavior?.ViewerProtocolPolicy },
        ...(d.CacheBehaviors?.Items ?? []).map((b) => ({ pattern: b.PathPattern ?? '?', policy: b.ViewerProtocolPolicy })),
      ];
      const problems: DistributionProblem[] = behaviors
        .filter((b) => b.policy === 'allow-all')
        .map((b) => ({
          subKey: `behavior:${b.pattern}`,
          message: `CloudFront distribution ${label} serves ${b.pattern === '(default)' ? 'its default cache behaviour' : `path ${b.pattern}`} over plain HTTP (viewer protocol policy allow-all).`,
          details: { pathPattern: b.pattern, viewerProtocolPolicy: 'allow-all' },
        }));
      const certificate = d.ViewerCertificate;
      // The *.cloudfront.net certificate allows TLS 1.0 whatever the setting: only a custom certificate can be tightened.
      if (certificate && certificate.CloudFrontDefaultCertificate !== true) {
        const version = certificate.MinimumProtocolVersion;
        const rank = version === undefined ? -1 : POLICIES.indexOf(version);
        if (rank === -1)
          return namedError(
            'UnknownSecurityPolicy',
            `distribution ${d.Id} has a custom certificate and a security policy this check does not know: ${version ?? 'none'}`,
          );
        if (rank < MINIMUM) {
          problems.push({
            subKey: 'minimum-protocol-version',
            message: `CloudFront distribution ${label} accepts viewers with security policy ${version}, older than TLSv1.2_2021.`,
            details: { pathPattern: null, viewerProtocolPolicy: null, minimumProtocolVersion: version ?? null },
          });
        }
      }
      return problems;
    });
  },
});
