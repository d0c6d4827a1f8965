import { defineCheck } from '../../src/audit/check.js';
import { distributionLabel, judgeDistributions, type DistributionProblem } from '../../src/rules/cloudfront-distributions.js';

const DEPRECATED = new Set(['SSLv3', 'TLSv1']);

export default defineCheck({
  id: 'cloudfront.origin-tls',
  title: 'CloudFront reaches custom origins over current TLS',
  service: 'cloudfront',
  scope: 'global',
  severity: 'medium',
  description:
    'Between CloudFront and a custom origin, traffic crosses the internet: over plain HTTP anyone on the path reads and alters it, and SSLv3 or TLS 1.0 to the origin can be downgraded and broken, however well the viewer side is protected.',
  references: { securityHub: 'CloudFront.9, CloudFront.10' },
  remediation:
    "Set each custom origin's protocol policy to `https-only` and its origin SSL protocols to TLSv1.2 only (the origin must serve a certificate valid for its name), with `aws cloudfront update-distribution`.",
  uses: ['cloudfront.distributions'],
  run(ctx) {
    return judgeDistributions(ctx, (d) => {
      const label = distributionLabel(d);
      const viewerHttp = [d.DefaultCacheBehavior?.ViewerProtocolPolicy, ...(d.CacheBehaviors?.Items ?? []).map((b) => b.ViewerProtocolPolicy)].includes(
        'allow-all',
      );
      return (
        (d.Origins?.Items ?? [])
          // S3 origins (and origin access control) are reached by CloudFront's own signed HTTPS.
          .filter((o) => o.CustomOriginConfig)
          .flatMap((o): DistributionProblem[] => {
            const config = o.CustomOriginConfig!;
            const origin = `${o.Id ?? '?'} (${o.DomainName ?? '?'})`;
            const base = { originId: o.Id ?? null, originDomain: o.DomainName ?? null, originProtocolPolicy: config.OriginProtocolPolicy ?? null };
            if (config.OriginProtocolPolicy === 'http-only' || (config.OriginProtocolPolicy === 'match-viewer' && viewerHttp)) {
              return [
                {
                  subKey: `origin:${o.Id}:http`,
                  message: `CloudFront distribution ${label} reaches origin ${origin} over plain HTTP (origin protocol policy ${config.OriginProtocolPolicy}${config.OriginProtocolPolicy === 'match-viewer' ? ', and viewers may use HTTP' : ''}).`,
                  details: { ...base, originSslProtocols: null },
                },
              ];
            }
            const weak = (config.OriginSslProtocols?.Items ?? []).filter((p) => DEPRECATED.has(p));
            if (weak.length === 0) return [];
            return [
              {
                subKey: `origin:${o.Id}:protocols`,
                message: `CloudFront distribution ${label} may reach origin ${origin} over ${weak.join(' or ')}.`,
                details: { ...base, originSslProtocols: (config.OriginSslProtocols?.Items ?? []).join(', ') },
              },
            ];
          })
      );
    });
  },
});
