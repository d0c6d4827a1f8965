import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { AlertService } from '../../src/alerts/service.js';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { computeDigest } from '../../src/store/digest.js';
import { History } from '../../src/store/history.js';
import { Mutes } from '../../src/store/mutes.js';
import { SLACK_LIMITS, type SlackMessage } from '../../src/slack/render/blocks.js';
import { renderAlert } from '../../src/slack/render/alert.js';
import { handFinding, handResult } from '../helpers/results.js';
import { menuEntries } from '../helpers/slack.js';
import { tempStore } from '../helpers/store.js';

const CONFIG = parseConfig(
  `accounts:
  - alias: prod
    accountId: "123456789012"
    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly
alerts:
  channel: C0ALERTS1
  minSeverity: high
`,
  '/x/audit.config.yml',
);

const critical = (id: string) => handFinding('ec2.sg-risky-ports', 'critical', id, `SSH open on ${id}`);
const low = (id: string) => handFinding('ec2.required-tags', 'low', id, `${id} has no Owner tag`);

async function setup(options: { failPost?: () => boolean } = {}) {
  const { store } = await tempStore();
  let clock = new Date('2026-12-01T09:00:00.000Z');
  const history = new History(store, { now: () => clock });
  let findings: Finding[] = [];
  const posted: SlackMessage[] = [];
  const alerts = new AlertService({
    config: { ...CONFIG, alerts: CONFIG.alerts! },
    checks: ALL_CHECKS,
    store,
    history,
    logger: createLogger({ format: 'json', level: 'silent' }),
    render: renderAlert,
    now: () => clock,
    poster: {
      postSummary: async (channel, message) => {
        if (options.failPost?.()) throw new Error('slack says no');
        expect(channel).toBe('C0ALERTS1');
        posted.push(message as SlackMessage);
        return { channel, ts: String(posted.length) };
      },
    },
    scan: async () => {
      const base = handResult(findings);
      const result: AuditResult = { ...base, startedAt: clock.toISOString(), scope: { ...base.scope, checkIds: ['ec2.sg-risky-ports', 'ec2.required-tags'] } };
      const { scanId } = await history.record(result, 'prod');
      return { result, scanId };
    },
  });
  return {
    store,
    alerts,
    posted,
    see: (list: Finding[]) => {
      findings = list;
    },
    at: (iso: string) => {
      clock = new Date(iso);
    },
  };
}

const textOf = (m: SlackMessage) => JSON.stringify(m.blocks);

describe('alerts', () => {
  it('first sets its cursor, then posts only what appeared at or above the severity; nothing when nothing did', async () => {
    const t = await setup();
    t.see([critical('sg-old')]);
    const first = await t.alerts.run();
    expect(first).toMatchObject({ baseline: true, posted: false });
    expect(t.posted).toEqual([]);
    expect(t.store.data.alerts.cursor).not.toBeNull();

    t.at('2026-12-01T10:00:00.000Z');
    t.see([critical('sg-old'), critical('sg-new'), low('vol-new')]);
    const second = await t.alerts.run();
    expect(second.posted).toBe(true);
    expect(t.posted).toHaveLength(1);
    const message = t.posted[0]!;
    expect(message.text).toBe('1 new at or above high in prod');
    expect(textOf(message)).toContain('sg-new');
    expect(textOf(message)).not.toContain('sg-old');
    expect(textOf(message)).not.toContain('vol-new');
    // The same menus as the digest's details: Details and Mute for the finding, named by the scan and fingerprint.
    const entries = message.blocks.flatMap(menuEntries);
    expect(entries.map((e) => e.group)).toEqual(['Details', 'Mute']);
    expect(entries[1]!.value).toBe(`${t.store.data.scans.at(-1)!.id}:${critical('sg-new').fingerprint}`);

    t.at('2026-12-01T11:00:00.000Z');
    const third = await t.alerts.run();
    expect(third).toMatchObject({ posted: false, message: null });
    expect(t.posted).toHaveLength(1);

    // The weekly digest has its own cursor: it still reports sg-new as new.
    const week = computeDigest(t.store.data, [{ alias: 'prod', accountId: '123456789012', errors: 0 }], null, new Date('2026-12-01T12:00:00.000Z'));
    expect(week.accounts[0]!.new.map((i) => i.state.resourceId)).toContain('sg-new');
    expect(t.store.data.digest.cursor).toBeNull();
    await t.store.close();
  });

  it('posts a finding that came back, and leaves out one that is muted', async () => {
    const t = await setup();
    t.see([critical('sg-a'), critical('sg-b')]);
    await t.alerts.run();
    t.at('2026-12-01T10:00:00.000Z');
    t.see([critical('sg-b')]); // sg-a fixed: resolved is not an alert
    await t.alerts.run();
    expect(t.posted).toEqual([]);
    const state = t.store.data.findings.find((f) => f.resourceId === 'sg-b')!;
    await new Mutes(t.store).mute({
      state,
      reason: 'accepted',
      mutedBy: 'U0ALICE01',
      expiresAt: '2027-01-01T00:00:00.000Z',
      now: new Date('2026-12-01T10:30:00.000Z'),
    });
    t.at('2026-12-01T11:00:00.000Z');
    t.see([critical('sg-a'), critical('sg-b'), critical('sg-c')]);
    await t.alerts.run();
    expect(t.posted).toHaveLength(1);
    expect(t.posted[0]!.text).toBe('1 new · 1 resurfaced at or above high in prod');
    expect(textOf(t.posted[0]!)).toContain('sg-a');
    expect(textOf(t.posted[0]!)).toContain('sg-c');
    expect(textOf(t.posted[0]!)).not.toContain('sg-b');
    await t.store.close();
  });

  it('keeps its cursor when Slack refuses the post: the next run posts the same findings, never skips them', async () => {
    let fail = true;
    const t = await setup({ failPost: () => fail });
    t.see([]);
    await t.alerts.run();
    const cursor = t.store.data.alerts.cursor;
    t.at('2026-12-01T10:00:00.000Z');
    t.see([critical('sg-new')]);
    const refused = await t.alerts.run();
    expect(refused).toMatchObject({ posted: false, error: 'slack says no' });
    expect(t.store.data.alerts.cursor).toBe(cursor);
    fail = false;
    t.at('2026-12-01T11:00:00.000Z');
    const retried = await t.alerts.run();
    expect(retried.posted).toBe(true);
    expect(textOf(t.posted[0]!)).toContain('sg-new');
    expect(t.store.data.alerts.cursor).not.toBe(cursor);
    // A dry run says what it would post and moves nothing.
    t.at('2026-12-01T12:00:00.000Z');
    t.see([critical('sg-new'), critical('sg-dry')]);
    const before = t.store.data.alerts.cursor;
    const dry = await t.alerts.run({ dryRun: true });
    expect(textOf(dry.message!)).toContain('sg-dry');
    expect(t.store.data.alerts.cursor).toBe(before);
    expect(t.posted).toHaveLength(1);
    await t.store.close();
  });

  it('stays one message within Block Kit’s limits however much appeared, saying how much more there is', async () => {
    const t = await setup();
    t.see([]);
    await t.alerts.run();
    t.at('2026-12-01T10:00:00.000Z');
    t.see(Array.from({ length: 600 }, (_, i) => critical(`sg-${String(i).padStart(4, '0')}-${'<!channel>'.repeat(3)}`)));
    await t.alerts.run();
    expect(t.posted).toHaveLength(1);
    const message = t.posted[0]!;
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(JSON.stringify(message).length).toBeLessThanOrEqual(SLACK_LIMITS.messageJson);
    expect(textOf(message)).toMatch(/…and \d+ more findings: `\/audit <alias>` shows them/);
    // Mrkdwn is escaped (menu labels are plain text, which Slack never reads as a mention).
    const mrkdwn = message.blocks.map((b) => ('text' in b && b.text && typeof b.text === 'object' ? b.text.text : '')).join('\n');
    expect(mrkdwn).toContain('&lt;!channel&gt;');
    expect(mrkdwn).not.toContain('<!channel>');
    await t.store.close();
  });
});
