import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type AllMiddlewareArgs, type Logger as BoltLogger, type RespondFn, type SlashCommand, type SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AuditProgress, Check } from '../audit/types.js';
import { suggestAliases, type AccountConfig, type Config } from '../config.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { AccessControl } from './access.js';
import type { AuditService } from './audits.js';
import { helpText, parseAuditCommand } from './command.js';
import type { SlackEnv } from './env.js';
import { escapeMrkdwn, plural } from './mrkdwn.js';
import { AUDIT_NOW_ACTION, renderHome } from './home.js';
import { renderReport } from './report.js';

type SlashCommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** response_url answers at most 5 times in 30 minutes: the first, two progress updates, the outcome, one spare. */
const MAX_PROGRESS_UPDATES = 2;

export interface SlackAppOptions {
  env: SlackEnv;
  config: Config;
  checks: readonly Check[];
  audits: AuditService;
  logger: Logger;
  /** Least time between two progress updates of one audit. */
  progressIntervalMs?: number;
}

export interface SlackApp {
  app: InstanceType<typeof App>;
  /** Starts listening (HTTP mode: on `env.port`, or `port` when given, 0 = any free port). */
  start(port?: number): Promise<{ port?: number }>;
  /** Stops taking requests and waits until every report under way is posted. */
  stop(): Promise<void>;
}

/** Bolt's logger interface, fed into ours (so tokens are scrubbed there too). */
function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  // Bolt reads the level back; ours decides what is written.
  let level = 'info' as ReturnType<BoltLogger['getLevel']>;
  return {
    debug: (...msg: unknown[]) => child.debug(msg.map(String).join(' ')),
    info: (...msg: unknown[]) => child.info(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(' ')),
    setLevel: (l: typeof level) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { env, config, checks, audits, logger } = options;
  const services = [...new Set(checks.map((c) => c.service))];
  const interval = options.progressIntervalMs ?? 2_000;
  const clientOptions = env.apiUrl ? { slackApiUrl: env.apiUrl } : {};
  const app =
    env.mode === 'socket'
      ? new App({ token: env.botToken, appToken: env.appToken, socketMode: true, logger: boltLogger(logger), clientOptions })
      : new App({ token: env.botToken, signingSecret: env.signingSecret, logger: boltLogger(logger), clientOptions, processBeforeResponse: false });

  const inFlight = new Set<Promise<unknown>>();
  const access = new AccessControl({
    config,
    usergroupMembers: async (usergroup) => {
      const answer = await app.client.usergroups.users.list({ usergroup });
      return answer.users ?? [];
    },
  });

  app.command('/audit', async (args) => {
    // Tracked from the first moment, so that a shutdown finishes what is under way (access lookups included).
    const work = handleCommand(args);
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  });

  async function handleCommand({ command, ack, respond, client }: SlashCommandArgs): Promise<unknown> {
    // Slack gives up after 3 seconds: acknowledge before anything that could take time.
    const parsed = parseAuditCommand(command.text, services, command.command);
    const log = logger.child({ user: command.user_id, channel: command.channel_id, command: parsed.kind });
    switch (parsed.kind) {
      case 'help':
        return ack({ response_type: 'ephemeral', text: helpText(command.command, services) });
      case 'invalid':
        return ack({ response_type: 'ephemeral', text: parsed.message });
      case 'mutes':
      case 'digest':
        return ack({ response_type: 'ephemeral', text: `\`${command.command} ${parsed.kind}\` comes with finding history; it is not available yet.` });
      case 'status': {
        await ack();
        // Aliases, account ids and who asked are for auditors only.
        const auditor = await access.checkAuditor(command.user_id);
        return respond({ response_type: 'ephemeral', text: auditor.allowed ? statusText(audits) : auditor.reason });
      }
      case 'list': {
        await ack();
        const accounts = await access.auditableAccounts(command.user_id, command.channel_id);
        return respond({ response_type: 'ephemeral', text: listText(accounts, command.channel_id) });
      }
      case 'audit': {
        await ack();
        // Who may audit at all comes first: nobody else learns which aliases exist.
        const auditor = await access.checkAuditor(command.user_id);
        if (!auditor.allowed) {
          log.info({ alias: parsed.alias, allowed: false }, 'audit requested');
          return respond({ response_type: 'ephemeral', text: auditor.reason });
        }
        const account = config.accounts.find((a) => a.alias === parsed.alias);
        if (!account) {
          const close = suggestAliases(parsed.alias, config.accounts.map((a) => a.alias));
          log.info({ alias: parsed.alias }, 'unknown alias');
          return respond({
            response_type: 'ephemeral',
            text: `There is no account \`${escapeMrkdwn(parsed.alias)}\`.${close.length ? ` Did you mean ${close.map((a) => `\`${escapeMrkdwn(a)}\``).join(' or ')}?` : ''} \`${command.command} list\` shows the accounts you may audit.`,
          });
        }
        const decision = await access.decide(command.user_id, command.channel_id, account);
        log.info({ alias: account.alias, accountId: account.accountId, allowed: decision.allowed, ...(decision.allowed ? { postIn: decision.postIn } : {}) }, 'audit requested');
        if (!decision.allowed) return respond({ response_type: 'ephemeral', text: decision.reason });
        const selected = parsed.services.length ? checks.filter((c) => parsed.services.includes(c.service)) : checks;
        await runAndReport({ command, respond, client, account, selected, postIn: decision.postIn, minSeverity: parsed.minSeverity, log });
        return;
      }
    }
  }

  async function runAndReport(input: {
    command: SlashCommand;
    respond: RespondFn;
    client: WebClient;
    account: AccountConfig;
    selected: readonly Check[];
    postIn: 'channel' | 'ephemeral';
    minSeverity: Parameters<typeof renderReport>[0]['minSeverity'];
    log: Logger;
  }): Promise<void> {
    const { command, respond, client, account, selected, postIn, log } = input;
    const where = account.regions ? plural(account.regions.length, 'region') : 'every enabled region';
    const label = `${escapeMrkdwn(account.alias)} (${account.accountId})`;
    const { run, joined } = audits.start(account, selected, command.user_id);
    await respond({ response_type: 'ephemeral', text: `:hourglass_flowing_sand: Auditing ${label} in ${where}…${joined ? ' (joining the audit already running)' : ''}` });

    // Progress: at most every `interval`, at most MAX_PROGRESS_UPDATES times (response_url allows 5 posts).
    let updates = 0;
    let last = Date.now();
    let pending: Promise<unknown> = Promise.resolve();
    const unsubscribe = run.onProgress((p: AuditProgress) => {
      if (updates >= MAX_PROGRESS_UPDATES || p.total === 0 || p.done === p.total || Date.now() - last < interval) return;
      updates++;
      last = Date.now();
      const text = `:hourglass_flowing_sand: Auditing ${label} in ${where}… ${p.done}/${p.total} checks done`;
      // Chained: an earlier update arriving late must not replace a later one (or the report).
      pending = pending.then(() => respond({ replace_original: true, response_type: 'ephemeral', text })).catch((error: unknown) => log.warn({ err: errorMessage(error) }, 'progress update failed'));
    });

    let result;
    try {
      result = await run.result;
    } catch (error) {
      unsubscribe();
      await pending;
      log.warn({ alias: account.alias, err: errorMessage(error) }, 'audit could not run');
      await respond({ replace_original: true, response_type: 'ephemeral', text: `:x: Could not audit ${label}: ${escapeMrkdwn(errorMessage(error))}` });
      return;
    }
    unsubscribe();
    await pending;
    const render = (overflowTo: 'thread' | 'direct-message') =>
      renderReport({ result, checks: selected, alias: account.alias, overflowTo, ...(input.minSeverity ? { minSeverity: input.minSeverity } : {}) });

    if (postIn === 'channel') {
      const report = render('thread');
      let posted: { channel: string; ts: string } | undefined;
      try {
        posted = await postMain(client, command.channel_id, report);
      } catch (error) {
        // Not in the channel (not invited), or a private channel: the requester still gets the report.
        log.warn({ alias: account.alias, err: errorMessage(error) }, 'posting the report in the channel failed; sending it to the requester');
      }
      if (posted) {
        const incomplete = await postRest(client, posted, report, log);
        await respond({
          replace_original: true,
          response_type: 'ephemeral',
          text: `:white_check_mark: The report on ${label} is in the channel.${incomplete ? ` Part of it could not be posted (${escapeMrkdwn(incomplete)}).` : ''}`,
        });
        return;
      }
    }
    // Only the requester sees it: the main part here; the rest, and the CSV, in their messages with the app
    // (ephemeral messages have no thread, and files cannot be ephemeral).
    const report = render('direct-message');
    await respond({ replace_original: true, response_type: 'ephemeral', text: report.main.text, blocks: report.main.blocks });
    if (report.followUps.length > 0 || report.csv) {
      try {
        const intro = await client.chat.postMessage({ channel: command.user_id, text: `The rest of the report on ${label} (${plural(report.total, 'finding')}), only for you:` });
        const incomplete = await postRest(client, { channel: intro.channel ?? command.user_id, ts: intro.ts ?? '' }, report, log);
        if (incomplete) log.warn({ alias: account.alias, err: incomplete }, 'part of a report could not be posted');
      } catch (error) {
        log.warn({ alias: account.alias, err: errorMessage(error) }, 'the rest of the report could not be sent to the requester');
        await respond({ response_type: 'ephemeral', text: `:warning: The rest of the report could not be sent to your messages with the app (${escapeMrkdwn(errorMessage(error))}). \`npm run audit -- ${escapeMrkdwn(account.alias)} --format csv\` prints every finding.` });
      }
    }
  }

  /** The main message of a report, where everyone in `channel` sees it. */
  async function postMain(client: WebClient, channel: string, report: ReturnType<typeof renderReport>): Promise<{ channel: string; ts: string }> {
    const posted = await client.chat.postMessage({ channel, text: report.main.text, blocks: report.main.blocks, unfurl_links: false, unfurl_media: false });
    // Posting to a user id answers with the DM's own id: threads and files must use that one.
    return { channel: posted.channel ?? channel, ts: posted.ts ?? '' };
  }

  /**
   * The rest of a report in the thread of `under`, and the CSV there. A
   * failure here does not repost the report: it is returned, to be told.
   */
  async function postRest(client: WebClient, under: { channel: string; ts: string }, report: ReturnType<typeof renderReport>, log: Logger): Promise<string | undefined> {
    try {
      for (const followUp of report.followUps) {
        await client.chat.postMessage({ channel: under.channel, thread_ts: under.ts, text: followUp.text, blocks: followUp.blocks, unfurl_links: false });
      }
      if (report.csv) {
        await client.filesUploadV2({ channel_id: under.channel, thread_ts: under.ts, file: Buffer.from(report.csv.content, 'utf8'), filename: report.csv.filename, title: report.csv.title });
      }
      return undefined;
    } catch (error) {
      log.warn({ err: errorMessage(error) }, 'the rest of a report could not be posted');
      return errorMessage(error);
    }
  }

  /** Posts a report in `channel`: the main message, the rest in its thread. */
  async function postReport(client: WebClient, channel: string, report: ReturnType<typeof renderReport>): Promise<void> {
    const posted = await postMain(client, channel, report);
    await postRest(client, posted, report, logger);
  }

  /** The Home tab of one user, as it is now. */
  async function publishHome(client: WebClient, userId: string): Promise<void> {
    const check = await access.checkAuditor(userId);
    const running = new Set(audits.list().map((r) => r.account.alias));
    const accounts = check.allowed ? config.accounts.map((account) => ({ account, last: audits.lastAudit(account.alias), running: running.has(account.alias) })) : [];
    await client.views.publish({ user_id: userId, view: renderHome(accounts) });
  }

  // A handler that throws is logged (Bolt answers Slack itself); the error never reaches the user raw.
  app.error(async (error) => {
    logger.error({ err: errorMessage(error) }, 'a Slack handler failed');
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, event.user);
  });

  // "Audit now" on the Home tab: the report goes to the user's messages with the app.
  app.action(AUDIT_NOW_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const userId = body.user.id;
    // The button only names an alias: the server looks it up and decides again.
    const alias = 'value' in action && typeof action.value === 'string' ? action.value : '';
    const account = config.accounts.find((a) => a.alias === alias);
    const check = account ? await access.checkAuditor(userId) : ({ allowed: false, reason: 'That account is no longer configured.' } as const);
    logger.info({ user: userId, alias, allowed: check.allowed, via: 'home' }, 'audit requested');
    if (!account || !check.allowed) {
      await client.chat.postMessage({ channel: userId, text: check.allowed ? 'That account is no longer configured.' : check.reason });
      return;
    }
    const { run } = audits.start(account, checks, userId);
    await publishHome(client, userId).catch(() => undefined);
    const work = (async () => {
      try {
        const result = await run.result;
        await postReport(client, userId, renderReport({ result, checks, alias: account.alias }));
      } catch (error) {
        await client.chat.postMessage({ channel: userId, text: `:x: Could not audit ${escapeMrkdwn(account.alias)} (${account.accountId}): ${escapeMrkdwn(errorMessage(error))}` });
      }
      await publishHome(client, userId).catch(() => undefined);
    })();
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  });

  return {
    app,
    async start(port?: number) {
      if (env.mode === 'socket') {
        await app.start();
        logger.info({ mode: 'socket' }, 'Slack app connected (Socket Mode)');
        return {};
      }
      const server = (await app.start(port ?? env.port)) as Server;
      const actual = (server.address() as AddressInfo).port;
      logger.info({ mode: 'http', port: actual, path: '/slack/events' }, 'Slack app listening');
      return { port: actual };
    },
    async stop() {
      // Stop taking requests, then let the audits under way post their reports.
      await app.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}

function statusText(audits: AuditService): string {
  const running = audits.list();
  if (running.length === 0) return 'No audit is running.';
  const lines = running.map((r) => {
    const seconds = Math.round((Date.now() - r.startedAt.getTime()) / 1000);
    const progress = r.progress.total ? `${r.progress.done}/${r.progress.total} checks` : 'starting';
    return `• *${escapeMrkdwn(r.account.alias)}* (${r.account.accountId}): ${progress}, ${seconds} s, asked by ${r.requesters.map((u) => `<@${u}>`).join(', ')}`;
  });
  return `${plural(running.length, 'audit')} running:\n${lines.join('\n')}`;
}

function listText(accounts: AccountConfig[], channelId: string): string {
  if (accounts.length === 0) return 'You may not audit any account from here.';
  const lines = accounts.map((a) => {
    const regions = a.regions ? a.regions.join(', ') : 'every enabled region';
    const here = a.channels === undefined || a.channels.includes(channelId) ? '' : ' (report only to you here)';
    return `• \`${escapeMrkdwn(a.alias)}\` ${a.accountId}: ${escapeMrkdwn(regions)}${here}`;
  });
  return `Accounts you may audit here:\n${lines.join('\n')}`;
}
