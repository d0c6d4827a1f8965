import { describe, expect, it } from 'vitest';
import { createCheckContext, daysBetween, defineCheck, isoDay, maskAccessKeyId } from '../../src/audit/check.js';
import { DEFAULT_THRESHOLDS } from '../../src/config.js';
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

describe('createCheckContext', () => {
  const check = defineCheck({
    id: 'test.x',
    title: 'x',
    service: 'test',
    scope: 'regional',
    severity: 'low',
    description: '',
    references: {},
    remediation: '',
    uses: [],
    run: () => [],
  });
  const ctx = createCheckContext({
    check,
    account: { alias: 'a', accountId: '123456789012' },
    region: 'eu-west-1',
    regions: ['eu-west-1'],
    now: new Date(0),
    thresholds: DEFAULT_THRESHOLDS,
    inventory: { get: () => Promise.reject(new Error('unused')) },
  });

  it('files a finding under the region it is judged in, or the one the resource lives in', () => {
    const here = ctx.fail({ resource: { type: 'T', id: 'r' }, message: 'm' });
    const home = ctx.fail({ resource: { type: 'T', id: 'r' }, message: 'm', region: 'us-east-1' });
    if (here.status !== 'fail' || home.status !== 'fail') throw new Error('expected failures');
    expect(here.finding.region).toBe('eu-west-1');
    expect(home.finding.region).toBe('us-east-1');
    expect(home.finding.fingerprint).toBe(findingFingerprint({ checkId: 'test.x', accountId: '123456789012', region: 'us-east-1', resourceId: 'r' }));
    expect(home.finding.fingerprint).not.toBe(here.finding.fingerprint);
  });
});
