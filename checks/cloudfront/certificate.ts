import { X509Certificate } from 'node:crypto';
import type { ServerCertificateMetadata } from '@aws-sdk/client-iam';
import { defineCheck } from '../../src/audit/check.js';
import { malformedResponse, namedError } from '../../src/errors.js';
import { expiryShortfall } from '../../src/rules/certificate-expiry.js';
import { distributionLabel, judgeDistributions, type DistributionProblem } from '../../src/rules/cloudfront-distributions.js';

/** Bits of security-relevant size per named curve, as Node's X509Certificate names them. */
const CURVE_BITS: Record<string, number> = { prime192v1: 192, secp192r1: 192, secp224r1: 224, prime256v1: 256, secp256k1: 256, secp384r1: 384, secp521r1: 521 };
const MINIMUM_BITS = { rsa: 2048, ec: 256 } as const;

/** The public key of a PEM certificate: its type and size, or an error saying why it cannot be told. */
function certificateKey(pem: string, name: string): { type: 'rsa' | 'ec'; bits: number } | Error {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    return namedError('MalformedCertificate', `the body of server certificate ${name} is not a certificate this check can read`);
  }
  const key = certificate.publicKey;
  if (key.asymmetricKeyType === 'rsa' && key.asymmetricKeyDetails?.modulusLength) return { type: 'rsa', bits: key.asymmetricKeyDetails.modulusLength };
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
    const bits = CURVE_BITS[curve];
    if (bits) return { type: 'ec', bits };
    return namedError('UnknownKeyType', `server certificate ${name} has an EC key on a curve this check does not know: ${curve || 'none'}`);
  }
  return namedError('UnknownKeyType', `server certificate ${name} has a ${key.asymmetricKeyType ?? 'unknown'} key, which this check does not judge`);
}

export default defineCheck({
  id: 'cloudfront.certificate',
  title: 'CloudFront distributions serve IAM certificates that are current and strong',
  service: 'cloudfront',
  scope: 'global',
  severity: 'high',
  description:
    'A certificate uploaded to IAM is never renewed by AWS: when it expires, every viewer of the distribution gets a certificate error and the site is down for them. A key weaker than RSA 2048 or EC P-256 can be broken or is refused by current browsers.',
  references: {},
  remediation:
    'Request a certificate from ACM in us-east-1 (renewed automatically, 2048-bit RSA or P-256 keys) and set it on the distribution: `aws cloudfront update-distribution` with ViewerCertificate ACMCertificateArn. Or upload a renewed certificate with a strong key to IAM (`aws iam upload-server-certificate --path /cloudfront/ ...`) and switch the distribution to it.',
  uses: ['cloudfront.distributions', 'iam.serverCertificates', 'iam.serverCertificateBodies'],
  async run(ctx) {
    const distributions = await ctx.inventory.get('cloudfront.distributions');
    // Only certificates from IAM are the account's to renew: ACM renews its own and the default one is AWS's.
    if (!distributions.some((d) => d.ViewerCertificate?.IAMCertificateId)) return judgeDistributions(ctx, () => []);
    const [listed, bodies] = await Promise.all([ctx.inventory.get('iam.serverCertificates'), ctx.inventory.get('iam.serverCertificateBodies')]);
    const byId = new Map(
      listed
        .filter((c): c is ServerCertificateMetadata & { ServerCertificateId: string } => Boolean(c.ServerCertificateId))
        .map((c) => [c.ServerCertificateId, c]),
    );

    return judgeDistributions(ctx, async (d) => {
      const id = d.ViewerCertificate?.IAMCertificateId;
      if (!id) return [];
      const certificate = byId.get(id);
      if (!certificate?.ServerCertificateName) {
        return namedError(
          'CertificateNotListed',
          `distribution ${d.Id} serves IAM server certificate ${id}, which ListServerCertificates does not list (deleted, or not visible yet)`,
        );
      }
      const name = certificate.ServerCertificateName;
      const label = distributionLabel(d);
      const base = {
        certificateName: name,
        certificateId: id,
        expiration: certificate.Expiration?.toISOString() ?? null,
        daysLeft: null,
        keyType: null,
        keyBits: null,
      };
      const entries: (DistributionProblem | Error)[] = [];

      // The expiry is known from the listing: it is judged even when the body cannot be read.
      const expiration = certificate.Expiration;
      if (!expiration) entries.push(malformedResponse(`ListServerCertificates gave no expiration date for server certificate ${name}`));
      else {
        const shortfall = expiryShortfall(expiration, ctx.now, ctx.thresholds.serverCertificateExpiryDays);
        if (shortfall) {
          entries.push({
            subKey: 'expiry',
            message: shortfall.expired
              ? `CloudFront distribution ${label} serves IAM certificate ${name}, which ${shortfall.phrase}: viewers get a certificate error.`
              : `CloudFront distribution ${label} serves IAM certificate ${name}, which ${shortfall.phrase}, within the ${ctx.thresholds.serverCertificateExpiryDays}-day warning window; IAM certificates are not renewed by AWS.`,
            details: { ...base, daysLeft: shortfall.expired ? -shortfall.days : shortfall.days },
          });
        }
      }

      const body = await bodies.get(name);
      if (!body.ok) entries.push(body.error instanceof Error ? body.error : namedError('ReadFailed', String(body.error)));
      else {
        const key = certificateKey(body.value, name);
        if (key instanceof Error) entries.push(key);
        else if (key.bits < MINIMUM_BITS[key.type]) {
          entries.push({
            subKey: 'key',
            message: `CloudFront distribution ${label} serves IAM certificate ${name} with a ${key.type.toUpperCase()} ${key.bits}-bit key, weaker than ${key.type === 'rsa' ? 'RSA 2048' : 'EC 256'}.`,
            details: { ...base, keyType: key.type, keyBits: key.bits },
          });
        }
      }
      return entries;
    });
  },
});
