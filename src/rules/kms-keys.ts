import type { KeyMetadata } from '@aws-sdk/client-kms';

/**
 * Keys KMS can rotate automatically, and whose owner decides it: enabled,
 * customer-managed, symmetric encryption keys with key material KMS made.
 * AWS-managed keys rotate every year whatever anyone does; asymmetric, HMAC,
 * imported-material and custom-key-store keys cannot rotate automatically.
 */
export function rotatesAutomatically(meta: KeyMetadata): boolean {
  return (
    meta.KeyManager === 'CUSTOMER' &&
    meta.KeyState === 'Enabled' &&
    meta.KeySpec === 'SYMMETRIC_DEFAULT' &&
    meta.KeyUsage === 'ENCRYPT_DECRYPT' &&
    (meta.Origin === undefined || meta.Origin === 'AWS_KMS')
  );
}
