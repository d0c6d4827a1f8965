import { defineCheck } from '../../src/audit/check.js';
import { namedError } from '../../src/errors.js';
import { expiryShortfall } from '../../src/rules/certificate-expiry.js';

export default defineCheck({
  id: 'iam.expired-server-certificates',
  title: 'No expired or soon-expiring server certificates in IAM',
  service: 'iam',
  scope: 'global',
  severity: 'high',
  description:
    'An expired certificate still stored in IAM can be attached to a load balancer or CloudFront by mistake, and one about to expire will break HTTPS for whatever still serves it.',
  references: { cis: '1.18', securityHub: 'IAM.26' },
  remediation:
    'Move the endpoint to an ACM certificate (renewed automatically) or upload a renewed one, then delete the old certificate with aws iam delete-server-certificate.',
  uses: ['iam.serverCertificates'],
  async run(ctx) {
    const certificates = await ctx.inventory.get('iam.serverCertificates');
    return certificates.map((certificate) => {
      const name = certificate.ServerCertificateName ?? certificate.ServerCertificateId ?? '(unnamed certificate)';
      const expiration = certificate.Expiration;
      if (!expiration) {
        // AWS always states it; without it the certificate cannot be judged, and passing it would be a guess.
        throw namedError('MalformedServerCertificate', `ListServerCertificates gave no expiration date for server certificate ${name}`);
      }
      const resource = { type: 'AWS::IAM::ServerCertificate', id: name, ...(certificate.Arn ? { arn: certificate.Arn } : {}) };
      const shortfall = expiryShortfall(expiration, ctx.now, ctx.thresholds.serverCertificateExpiryDays);
      if (shortfall?.expired) {
        return ctx.fail({
          resource,
          message: `Server certificate ${name} ${shortfall.phrase} and is still stored in IAM.`,
          details: { expiration: expiration.toISOString(), daysExpired: shortfall.days, expired: true },
        });
      }
      if (shortfall) {
        return ctx.fail({
          resource,
          severity: 'low',
          message: `Server certificate ${name} ${shortfall.phrase}, within the ${ctx.thresholds.serverCertificateExpiryDays}-day warning window.`,
          details: { expiration: expiration.toISOString(), daysLeft: shortfall.days, expired: false },
        });
      }
      return ctx.pass(name);
    });
  },
});
