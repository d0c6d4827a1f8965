import { describe, expect, it } from 'vitest';
import type { FindingState } from '../../src/store/diff.js';
import { defaultMuteDay, findingRef, muteExpiry, muteReason, Mutes, parseFindingRef } from '../../src/store/mutes.js';
import { tempStore } from '../helpers/store.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const STATE: FindingState = {
  fingerprint: '0123456789abcdef0123456789abcdef',
  checkId: 'ec2.sg-risky-ports',
  accountId: '123456789012',
  region: 'eu-west-1',
  resourceId: 'sg-1',
  severity: 'critical',
  message: 'SSH open to the world',
  firstSeen: '2026-11-01T00:00:00.000Z',
  lastSeen: '2026-11-23T00:00:00.000Z',
  resolvedAt: null,
  reopenedAt: null,
};

describe('mute input', () => {
  it('offers 30 days, accepts tomorrow to 365 days ahead (UTC), and ends a mute at the end of its day', () => {
    expect(defaultMuteDay(NOW)).toBe('2026-12-23');
    expect(muteExpiry('2026-11-24', NOW)).toEqual({ expiresAt: '2026-11-25T00:00:00.000Z' });
    expect(muteExpiry('2027-11-23', NOW)).toEqual({ expiresAt: '2027-11-24T00:00:00.000Z' });
    expect(muteExpiry('2027-11-24', NOW)).toEqual({ error: expect.stringContaining('at most 365 days') });
    expect(muteExpiry('2026-11-23', NOW)).toEqual({ error: 'Pick a day after today.' });
    expect(muteExpiry('2026-13-01', NOW)).toEqual({ error: '2026-13-01 is not a date.' });
    expect(muteExpiry(undefined, NOW)).toEqual({ error: 'Pick the day the mute ends.' });
    expect(muteExpiry('tomorrow', NOW)).toEqual({ error: 'Pick the day the mute ends.' });
  });

  it('wants a reason, trimmed, under 500 characters', () => {
    expect(muteReason('  SEC-1  ')).toEqual({ reason: 'SEC-1' });
    expect(muteReason(' \n ')).toEqual({ error: expect.stringContaining('Say why') });
    expect(muteReason(null)).toEqual({ error: expect.stringContaining('Say why') });
    expect(muteReason('x'.repeat(501))).toEqual({ error: expect.stringContaining('501') });
  });

  it('reads back only references it could have made', () => {
    const ref = findingRef('4f9c2a1e-0000-4000-8000-000000000000', STATE.fingerprint);
    expect(parseFindingRef(ref)).toEqual({ scanId: '4f9c2a1e-0000-4000-8000-000000000000', fingerprint: STATE.fingerprint });
    for (const bad of ['', 'no-colon', 'a:b:c', 'arn:aws:iam::123456789012:user/x', `${'a'.repeat(65)}:b`, 42, null])
      expect(parseFindingRef(bad)).toBeUndefined();
  });
});

describe('Mutes', () => {
  it('keeps one mute in force per finding: muting again replaces it; unmute ends it once', async () => {
    const { store } = await tempStore();
    await store.update((d) => void d.findings.push(STATE));
    const mutes = new Mutes(store);
    const first = await mutes.mute({ state: STATE, reason: 'one', mutedBy: 'U1', expiresAt: '2026-12-01T00:00:00.000Z', now: NOW });
    const second = await mutes.mute({ state: STATE, reason: 'two', mutedBy: 'U2', expiresAt: '2026-12-10T00:00:00.000Z', now: NOW });
    expect([...(await mutes.active(NOW)).values()].map((m) => m.reason)).toEqual(['two']);
    expect(store.data.mutes.find((m) => m.id === first.id)).toMatchObject({ unmutedBy: 'U2', replacedBy: second.id });
    expect(await mutes.unmute(second.id, 'U3', NOW)).toMatchObject({ unmutedBy: 'U3' });
    expect(await mutes.unmute(second.id, 'U3', NOW)).toBeUndefined();
    expect(await mutes.unmute('nope', 'U3', NOW)).toBeUndefined();
    expect((await mutes.active(NOW)).size).toBe(0);
    // Expired is not in force.
    await mutes.mute({ state: STATE, reason: 'short', mutedBy: 'U1', expiresAt: '2026-11-24T00:00:00.000Z', now: NOW });
    expect((await mutes.active(new Date('2026-11-23T23:59:59.999Z'))).size).toBe(1);
    expect((await mutes.active(new Date('2026-11-24T00:00:00.000Z'))).size).toBe(0);
    await store.close();
  });
});

describe("mute days in the team's time zone", () => {
  it('reads "today" and the end of the last day where the team is', () => {
    // 20:00 in Los Angeles on the 22nd is already the 23rd in UTC.
    const evening = new Date('2026-11-23T04:00:00.000Z');
    expect(muteExpiry('2026-11-23', evening, 'America/Los_Angeles')).toEqual({ expiresAt: '2026-11-24T08:00:00.000Z' });
    expect(muteExpiry('2026-11-23', evening, 'UTC')).toEqual({ error: 'Pick a day after today.' });
    expect(defaultMuteDay(evening, 'America/Los_Angeles')).toBe('2026-12-22');
    // Berlin: the end of 29 March 2027 (summer time began on the 28th) is 22:00 UTC.
    expect(muteExpiry('2027-03-29', NOW, 'Europe/Berlin')).toEqual({ expiresAt: '2027-03-29T22:00:00.000Z' });
    expect(muteExpiry('2026-12-01', NOW, 'Europe/Berlin')).toEqual({ expiresAt: '2026-12-01T23:00:00.000Z' });
    expect(muteExpiry('2026-12-01', NOW, 'Asia/Kolkata')).toEqual({ expiresAt: '2026-12-01T18:30:00.000Z' });
  });
});
