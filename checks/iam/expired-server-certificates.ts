import { daysBetween, defineCheck, isoDay } from '../../src/audit/check.js';

const DAY_MS = 86_400_000;

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
    const soonMs = ctx.thresholds.serverCertificateExpiryDays * DAY_MS;
    return certificates.map((certificate) => {
      const name = certificate.ServerCertificateName ?? certificate.ServerCertificateId ?? '(unnamed certificate)';
      const expiration = certificate.Expiration;
      if (!expiration) {
        // AWS always states it; without it the certificate cannot be judged, and passing it would be a guess.
        throw Object.assign(new Error(`ListServerCertificates gave no expiration date for server certificate ${name}`), {
          name: 'MalformedServerCertificate',
        });
      }
      const resource = { type: 'AWS::IAM::ServerCertificate', id: name, ...(certificate.Arn ? { arn: certificate.Arn } : {}) };
      const remainingMs = expiration.getTime() - ctx.now.getTime();
      if (remainingMs < 0) {
        const days = daysBetween(expiration, ctx.now);
        return ctx.fail({
          resource,
          message: `Server certificate ${name} expired ${days === 0 ? 'today' : `${days} day${days === 1 ? '' : 's'} ago`} (${isoDay(expiration)}) and is still stored in IAM.`,
          details: { expiration: expiration.toISOString(), daysExpired: days, expired: true },
        });
      }
      if (remainingMs <= soonMs) {
        const days = Math.floor(remainingMs / DAY_MS);
        return ctx.fail({
          resource,
          severity: 'low',
          message: `Server certificate ${name} expires ${days === 0 ? 'within a day' : `in ${days} day${days === 1 ? '' : 's'}`} (${isoDay(expiration)}), within the ${ctx.thresholds.serverCertificateExpiryDays}-day warning window.`,
          details: { expiration: expiration.toISOString(), daysLeft: days, expired: false },
        });
      }
      return ctx.pass(name);
    });
  },
});
