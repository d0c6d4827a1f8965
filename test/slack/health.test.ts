import { describe, expect, it } from 'vitest';
import { healthReport, type HealthSources, type SlackConnectionState } from '../../src/slack/health.js';

function sources(slack: SlackConnectionState, lost?: Error): HealthSources {
  return { mode: 'socket', slack: () => slack, storeLost: () => lost, auditsRunning: () => 2, startedAt: new Date('2026-12-01T00:00:00Z') };
}

describe('healthReport', () => {
  it('is 200 while Slack is connected (or listening) and the database lock is held', () => {
    expect(healthReport(sources('connected'))).toEqual({
      code: 200,
      report: { status: 'ok', slack: { mode: 'socket', state: 'connected' }, store: { state: 'ok' }, auditsRunning: 2, startedAt: '2026-12-01T00:00:00.000Z' },
    });
    expect(healthReport({ ...sources('listening'), mode: 'http' }).code).toBe(200);
  });

  it('is 503 while the socket is down, and when the database lock was lost (a restart is the cure)', () => {
    for (const state of ['connecting', 'reconnecting', 'disconnected'] as const) expect(healthReport(sources(state)).code).toBe(503);
    const lost = healthReport(sources('connected', new Error('Unable to update lock within the stale threshold')));
    expect(lost.code).toBe(503);
    expect(lost.report.store).toEqual({ state: 'lock-lost', error: 'Unable to update lock within the stale threshold' });
  });
});
