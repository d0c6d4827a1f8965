import { describe, expect, it } from 'vitest';
import type { DigestRun } from '../src/digest/service.js';
import type { FileStore } from '../src/store/store.js';
import { createLogger } from '../src/log.js';
import type { ScheduledTask } from 'node-cron';
import { AlertSchedule, DigestSchedule } from '../src/schedule.js';
import { tempStore } from './helpers/store.js';

const logger = createLogger({ format: 'json', level: 'silent' });

/** A digest run that posts (or not) and counts its calls. */
function fakeRun(posted = true, ms = 0) {
  const state = { calls: 0, inFlight: 0, maxInFlight: 0 };
  const run = async (): Promise<DigestRun> => {
    state.calls++;
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await new Promise((r) => setTimeout(r, ms));
    state.inFlight--;
    return { posted, dryRun: false, failed: 0, ...(posted ? {} : { error: 'channel_not_found' }) } as DigestRun;
  };
  return { state, run };
}

async function withDue(store: FileStore, due: { at: string; schedule: string; timezone: string } | null): Promise<void> {
  await store.update((data) => {
    data.digest.due = due;
  });
}

describe('DigestSchedule', () => {
  it('on a fresh install: no digest at start-up, the next run is remembered', async () => {
    const { store } = await tempStore();
    const { state, run } = fakeRun();
    const schedule = new DigestSchedule({ schedule: '0 9 * * 1', timezone: 'Europe/Berlin', store, run, logger });
    const { catchUp, nextRun } = await schedule.start();
    expect(catchUp).toBeUndefined();
    expect(state.calls).toBe(0);
    // Mondays 09:00 in Berlin: 08:00 UTC in winter, 07:00 UTC in summer.
    expect(nextRun!.getTime()).toBeGreaterThan(Date.now());
    expect(nextRun!.getUTCDay()).toBe(1);
    expect([7, 8]).toContain(nextRun!.getUTCHours());
    expect(store.data.digest.due).toEqual({ at: nextRun!.toISOString(), schedule: '0 9 * * 1', timezone: 'Europe/Berlin' });
    await schedule.stop();
    await store.close();
  });

  it('posts a digest missed while the bot was down, once, and then waits for the next scheduled time', async () => {
    const { store } = await tempStore();
    await withDue(store, { at: '2026-11-16T08:00:00.000Z', schedule: '0 9 * * 1', timezone: 'Europe/Berlin' });
    const { state, run } = fakeRun();
    const first = new DigestSchedule({ schedule: '0 9 * * 1', timezone: 'Europe/Berlin', store, run, logger });
    const { catchUp } = await first.start();
    expect(catchUp).toBeDefined();
    await catchUp;
    expect(state.calls).toBe(1);
    expect(Date.parse(store.data.digest.due!.at)).toBeGreaterThan(Date.now());
    await first.stop();
    // A restart right after: nothing is due, nothing is posted.
    const second = new DigestSchedule({ schedule: '0 9 * * 1', timezone: 'Europe/Berlin', store, run, logger });
    expect((await second.start()).catchUp).toBeUndefined();
    await second.stop();
    expect(state.calls).toBe(1);
    await store.close();
  });

  it('keeps a digest that could not be posted due, so the next start-up tries again', async () => {
    const { store } = await tempStore();
    await withDue(store, { at: '2026-11-16T08:00:00.000Z', schedule: '0 9 * * 1', timezone: 'UTC' });
    const { state, run } = fakeRun(false);
    const schedule = new DigestSchedule({ schedule: '0 9 * * 1', timezone: 'UTC', store, run, logger });
    await (await schedule.start()).catchUp;
    expect(state.calls).toBe(1);
    expect(store.data.digest.due!.at).toBe('2026-11-16T08:00:00.000Z');
    await schedule.stop();
    await store.close();
  });

  it('does not catch up a time due under another schedule (the config changed): it takes the new one', async () => {
    const { store } = await tempStore();
    await withDue(store, { at: '2026-11-16T08:00:00.000Z', schedule: '0 9 * * 1', timezone: 'UTC' });
    const { state, run } = fakeRun();
    const schedule = new DigestSchedule({ schedule: '30 7 * * 5', timezone: 'UTC', store, run, logger });
    const { catchUp, nextRun } = await schedule.start();
    expect(catchUp).toBeUndefined();
    expect(state.calls).toBe(0);
    expect(nextRun!.getUTCDay()).toBe(5);
    expect(store.data.digest.due).toEqual({ at: nextRun!.toISOString(), schedule: '30 7 * * 5', timezone: 'UTC' });
    await schedule.stop();
    await store.close();
  });

  it("fires on node-cron's schedule without overlapping, and stops firing at stop()", async () => {
    const { store } = await tempStore();
    // Every second (six fields), each run taking 1.5 s: never two at once.
    const { state, run } = fakeRun(true, 1_500);
    const schedule = new DigestSchedule({ schedule: '* * * * * *', timezone: 'UTC', store, run, logger });
    await schedule.start();
    const end = Date.now() + 6_000;
    while (state.calls < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(state.calls).toBeGreaterThanOrEqual(2);
    expect(state.maxInFlight).toBe(1);
    await schedule.stop();
    await schedule.drain(); // waits for the run under way
    expect(state.inFlight).toBe(0);
    const calls = state.calls;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(state.calls).toBe(calls);
    await store.close();
  }, 15_000);
});

describe('AlertSchedule', () => {
  it('runs the alerts each time the schedule fires, one run at a time, and destroys its task when stopped', async () => {
    let fire: (() => Promise<void>) | undefined;
    let stopped = false;
    const { state, run } = fakeRun(true, 20);
    const schedule = new AlertSchedule({
      schedule: '0 * * * *',
      timezone: 'UTC',
      logger,
      run,
      createTask: (expression, fn, options) => {
        expect([expression, options.timezone, options.noOverlap]).toEqual(['0 * * * *', 'UTC', true]);
        fire = fn;
        return {
          start: async () => undefined,
          destroy: async () => {
            stopped = true;
          },
          getNextRuns: () => [new Date('2026-12-03T18:00:00.000Z')],
        } as unknown as ScheduledTask;
      },
    });
    expect((await schedule.start())?.toISOString()).toBe('2026-12-03T18:00:00.000Z');
    await Promise.all([fire!(), fire!()]);
    expect(state).toMatchObject({ calls: 1, maxInFlight: 1 });
    await fire!();
    expect(state.calls).toBe(2);
    await schedule.stop();
    expect(stopped).toBe(true);
  });
});

describe('schedules with several bot replicas on one PostgreSQL', () => {
  it('posts a missed digest once when two replicas start together, and runs one alert per firing', async () => {
    const { PostgresStore } = await import('../src/store/postgres/store.js');
    const { databaseUrl, freshSchema } = await import('./helpers/backends.js');
    const schema = freshSchema();
    const one = await PostgresStore.open(databaseUrl(), { schema });
    const two = await PostgresStore.open(databaseUrl(), { schema });
    try {
      await one.transaction((tx) => tx.setDigestState({ due: { at: '2026-11-16T08:00:00.000Z', schedule: '0 9 * * 1', timezone: 'Europe/Berlin' } }));
      const { state, run } = fakeRun(true, 150);
      const a = new DigestSchedule({ schedule: '0 9 * * 1', timezone: 'Europe/Berlin', store: one, run, logger });
      const b = new DigestSchedule({ schedule: '0 9 * * 1', timezone: 'Europe/Berlin', store: two, run, logger });
      const [x, y] = await Promise.all([a.start(), b.start()]);
      await Promise.all([x.catchUp, y.catchUp]);
      // Both were down at the due time; one posts, the other finds it posted.
      expect(state.calls).toBe(1);
      expect(Date.parse((await two.digestState()).due!.at)).toBeGreaterThan(Date.now());
      await Promise.all([a.stop(), b.stop()]);

      // Alerts: both replicas fire at once; the first moves the cursor past the firing, the second runs nothing.
      const fired: (() => Promise<void>)[] = [];
      let runs = 0;
      const alertRun = async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 100));
        await one.transaction(async (tx) => tx.setAlertsState({ cursor: await tx.tick(new Date()) }));
        return { posted: true };
      };
      const createTask = (_e: string, fn: () => Promise<void>) => {
        fired.push(fn);
        return { start: async () => undefined, destroy: async () => undefined, getNextRuns: () => [] } as unknown as ScheduledTask;
      };
      const alertsA = new AlertSchedule({ schedule: '0 * * * *', timezone: 'UTC', store: one, logger, run: alertRun, createTask });
      const alertsB = new AlertSchedule({ schedule: '0 * * * *', timezone: 'UTC', store: two, logger, run: alertRun, createTask });
      await Promise.all([alertsA.start(), alertsB.start()]);
      await Promise.all(fired.map((f) => f()));
      expect(runs).toBe(1);
      // The next firing (later) runs again.
      await new Promise((r) => setTimeout(r, 5));
      await fired[1]!();
      expect(runs).toBe(2);
    } finally {
      await one.dropSchema();
      await Promise.all([one.close(), two.close()]);
    }
  });
});
