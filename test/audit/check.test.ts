import { describe, expect, it } from 'vitest';
import { daysBetween, isoDay, maskAccessKeyId } from '../../src/audit/check.js';
import { findingFingerprint } from '../../src/audit/fingerprint.js';

describe('maskAccessKeyId', () => {
  it('keeps the first and last four characters only', () => {
    expect(maskAccessKeyId('AKIAIOSFODNN7EXAMPLE')).toBe('AKIA…MPLE');
    expect(maskAccessKeyId('short')).toBe('…');
  });
});

describe('daysBetween', () => {
  it('counts whole days and never goes negative', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    expect(daysBetween(new Date('2026-11-22T12:00:00Z'), now)).toBe(1);
    expect(daysBetween(new Date('2026-11-22T12:00:01Z'), now)).toBe(0);
    expect(daysBetween(new Date('2026-12-01T00:00:00Z'), now)).toBe(0);
    expect(isoDay(now)).toBe('2026-11-23');
  });
});

describe('findingFingerprint', () => {
  const base = { checkId: 'iam.access-key-rotation', accountId: '123456789012', region: 'global', resourceId: 'deploy/access-key-1' };

  it('is stable and depends on every identifying part', () => {
    const fp = findingFingerprint(base);
    expect(fp).toBe(findingFingerprint({ ...base }));
    expect(fp).toMatch(/^[0-9a-f]{32}$/);
    for (const change of [{ checkId: 'x' }, { accountId: '999999999999' }, { region: 'eu-west-1' }, { resourceId: 'other' }, { subKey: 'k' }]) {
      expect(findingFingerprint({ ...base, ...change })).not.toBe(fp);
    }
  });

  it('cannot be confused by separators inside the parts', () => {
    expect(findingFingerprint({ ...base, resourceId: 'a', subKey: 'b|c' })).not.toBe(findingFingerprint({ ...base, resourceId: 'a|b', subKey: 'c' }));
  });
});
