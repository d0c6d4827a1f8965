import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  App,
  SocketModeReceiver,
  type AllMiddlewareArgs,
  type BlockAction,
  type Logger as BoltLogger,
  type RespondFn,
  type SlashCommand,
  type SlackCommandMiddlewareArgs,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AuditProgress, AuditResult, Check } from '../audit/types.js';
import { suggestAliases, type AccountConfig, type Config } from '../config.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { History } from '../store/history.js';
import { defaultMuteDay, muteExpiry, muteReason, Mutes } from '../store/mutes.js';
import type { Store } from '../store/store.js';
import { AccessControl } from './access.js';
import { DIGEST_REQUESTER, type AuditService, type RunningAudit } from '../audit/service.js';
import { FIX_PREFIX, MUTE_ACTION } from './render/blocks.js';
import { clickedMessage } from './clicks.js';
import { registerRemediation, type StartFix } from './remediation.js';
import type { RemediationService } from '../remediation/service.js';
import { helpText, parseAuditCommand } from './command.js';
import type { SlackEnv } from './env.js';
import { answerHealth, HEALTH_PATH, startHealthServer, type HealthSources, type SlackConnectionState } from './health.js';
import { escapeMrkdwn, plural, slackDate } from './render/mrkdwn.js';
import { AUDIT_NOW_ACTION, renderHome } from './render/home.js';
import { renderReport } from './render/report.js';
import {
  MUTE_EXPIRY,
  MUTE_REASON,
  MUTE_VIEW,
  muteNote,
  parseMuteMetadata,
  renderMuteList,
  renderMuteModal,
  UNMUTE_ACTION,
  type ListedMute,
  type MuteModalMetadata,
} from './render/mutes.js';

type SlashCommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** How long the mute menu waits for the access check before opening the modal anyway (Slack's trigger_id lasts 3 s; the submission is checked again). */
const ACCESS_WAIT_BEFORE_MODAL_MS = 1_500;

/** response_url answers at most 5 times in 30 minutes: the first, two progress updates, the outcome, one spare. */
const MAX_PROGRESS_UPDATES = 2;

export interface SlackAppOptions {
  env: SlackEnv;
  config: Config;
  checks: readonly Check[];
  audits: AuditService;
  /** The bot's database: finding history and mutes. */
  store: Store;
  /** Posts the digest now (`/audit digest`); absent when no digest is configured. */
  digest?: DigestTrigger;
  /** One-click fixes; absent = none offered. */
  remediation?: RemediationService;
  logger: Logger;
  /** Least time between two progress updates of one audit. */
  progressIntervalMs?: number;
  /** The time (tests move it). */
  now?: () => Date;
}

/** What `/audit digest` needs of the digest: run it now (or join the run under way) and say how it went. */
export interface DigestTrigger {
  channel: string;
  accounts: number;
  run(requester: string): Promise<{ posted: boolean; joined: boolean; quiet: boolean; error?: string }>;
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
    setLevel: (l: typeof level) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { env, config, checks, audits, logger, store } = options;
  const now = options.now ?? (() => new Date());
  const history = new History(store);
  const mutes = new Mutes(store);
  const checksById = new Map(checks.map((c) => [c.id, c]));
  /** Mute end days are days in the digest's time zone (the team's), else UTC. */
  const muteTimeZone = config.digest?.timezone ?? 'UTC';
  const allCheckIds = checks.map((c) => c.id);
  const services = [...new Set(checks.map((c) => c.service))];
  const interval = options.progressIntervalMs ?? 2_000;
  const clientOptions = env.apiUrl ? { slackApiUrl: env.apiUrl } : {};
  let slackState: SlackConnectionState = env.mode === 'socket' ? 'connecting' : 'listening';
  const health: HealthSources = {
    mode: env.mode,
    slack: () => slackState,
    storeLost: () => store.lockLost,
    auditsRunning: () => audits.list().length,
    startedAt: now(),
  };
  let healthServer: { port: number; close: () => Promise<void> } | undefined;
  /** Set by stop(): the socket closing then is ours, not a lost connection. */
  let stopping = false;
  let app: App;
  if (env.mode === 'socket') {
    // Our own receiver, to follow its connection for /healthz.
    const receiver = new SocketModeReceiver({ appToken: env.appToken, logger: boltLogger(logger), installerOptions: { clientOptions } });
    const socket = receiver.client;
    for (const state of ['connecting', 'authenticated', 'connected', 'reconnecting', 'disconnecting', 'disconnected'] as const) {
      socket.on(state, () => {
        slackState = state;
        if (!stopping && (state === 'reconnecting' || state === 'disconnected')) logger.warn({ state }, 'Socket Mode connection lost; reconnecting');
      });
    }
    app = new App({ token: env.botToken, receiver, logger: boltLogger(logger), clientOptions });
  } else {
    app = new App({
      token: env.botToken,
      signingSecret: env.signingSecret,
      logger: boltLogger(logger),
      clientOptions,
      processBeforeResponse: false,
      customRoutes: [{ path: HEALTH_PATH, method: ['GET', 'HEAD'], handler: (req, res) => answerHealth(health, req, res) }],
    });
  }

  const inFlight = new Set<Promise<unknown>>();
  /**
   * Per shared run: the report posted in each channel (by channel and
   * severity filter), and each rendering. Twenty people auditing one alias in
   * one channel share one run, one channel post, one CSV and one rendering;
   * the others are pointed at that post.
   */
  const shared = new WeakMap<
    RunningAudit,
    { posts: Map<string, Promise<{ channel: string; ts: string; incomplete?: string } | undefined>>; renders: Map<string, ReturnType<typeof renderReport>> }
  >();
  const sharedOf = (run: RunningAudit) => {
    let entry = shared.get(run);
    if (!entry) {
      entry = { posts: new Map(), renders: new Map() };
      shared.set(run, entry);
    }
    return entry;
  };
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
      case 'mutes': {
        await ack();
        const may = await mayMute(command.user_id);
        if (!may.allowed) return respond({ response_type: 'ephemeral', text: may.reason });
        const account = parsed.alias === undefined ? undefined : config.accounts.find((a) => a.alias === parsed.alias);
        if (parsed.alias !== undefined && !account) {
          return respond({
            response_type: 'ephemeral',
            text: `There is no account \`${escapeMrkdwn(parsed.alias)}\`. \`${command.command} list\` shows the accounts.`,
          });
        }
        for (const message of renderMuteList(listMutes(account?.alias), account?.alias)) {
          await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
        }
        return;
      }
      case 'digest': {
        await ack();
        const auditor = await access.checkAuditor(command.user_id);
        log.info({ allowed: auditor.allowed }, 'digest requested');
        if (!auditor.allowed) return respond({ response_type: 'ephemeral', text: auditor.reason });
        const digest = options.digest;
        if (!digest) return respond({ response_type: 'ephemeral', text: "No digest is configured: set `digest.channel` in the bot's config to have one." });
        await respond({
          response_type: 'ephemeral',
          text: `:hourglass_flowing_sand: Preparing the digest: auditing ${plural(digest.accounts, 'account')}, then posting in <#${digest.channel}>…`,
        });
        let text: string;
        try {
          const outcome = await digest.run(command.user_id);
          text = outcome.posted
            ? `:white_check_mark: The digest is in <#${digest.channel}>${outcome.joined ? ' (it was already being prepared)' : ''}${outcome.quiet ? ': a quiet week' : ''}.${outcome.error ? ` But: ${escapeMrkdwn(outcome.error)}.` : ''}`
            : `:x: The digest could not be posted: ${escapeMrkdwn(outcome.error ?? 'unknown error')}`;
        } catch (error) {
          log.error({ err: errorMessage(error) }, 'the digest failed');
          text = `:x: The digest failed: ${escapeMrkdwn(errorMessage(error))}`;
        }
        // A big digest can outlast the command's response_url (30 minutes): then the answer goes to the user's messages with the app.
        return respond({ replace_original: true, response_type: 'ephemeral', text }).catch(() => client.chat.postMessage({ channel: command.user_id, text }));
      }
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
          const close = suggestAliases(
            parsed.alias,
            config.accounts.map((a) => a.alias),
          );
          log.info({ alias: parsed.alias }, 'unknown alias');
          return respond({
            response_type: 'ephemeral',
            text: `There is no account \`${escapeMrkdwn(parsed.alias)}\`.${close.length ? ` Did you mean ${close.map((a) => `\`${escapeMrkdwn(a)}\``).join(' or ')}?` : ''} \`${command.command} list\` shows the accounts you may audit.`,
          });
        }
        const decision = await access.decide(command.user_id, command.channel_id, account);
        log.info(
          { alias: account.alias, accountId: account.accountId, allowed: decision.allowed, ...(decision.allowed ? { postIn: decision.postIn } : {}) },
          'audit requested',
        );
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
    // (`run.scanId` is set once the history recorded the scan, before `run.result` resolves.)
    await respond({
      response_type: 'ephemeral',
      text: `:hourglass_flowing_sand: Auditing ${label} in ${where}…${joined ? ' (joining the audit already running)' : ''}`,
    });

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
      pending = pending
        .then(() => respond({ replace_original: true, response_type: 'ephemeral', text }))
        .catch((error: unknown) => log.warn({ err: errorMessage(error) }, 'progress update failed'));
    });

    let result: AuditResult;
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
    // Let the acks of requests that arrived meanwhile go first: rendering a big report takes a while.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { posts, renders } = sharedOf(run);
    const render = (overflowTo: 'thread' | 'direct-message') => {
      const key = `${overflowTo}:${input.minSeverity ?? ''}`;
      let report = renders.get(key);
      if (!report) {
        const unmuted = withoutMuted(result);
        report = renderReport({
          result: unmuted.result,
          checks: selected,
          alias: account.alias,
          overflowTo,
          muted: unmuted.muted,
          ...(run.scanId !== undefined ? { scanId: run.scanId } : {}),
          ...fixableIn(account.accountId),
          ...(input.minSeverity ? { minSeverity: input.minSeverity } : {}),
        });
        renders.set(key, report);
      }
      return report;
    };

    if (postIn === 'channel') {
      const postKey = `${command.channel_id}:${input.minSeverity ?? ''}`;
      let post = posts.get(postKey);
      const first = !post;
      if (!post) {
        post = (async () => {
          const report = render('thread');
          let posted: { channel: string; ts: string } | undefined;
          try {
            posted = await postMain(client, command.channel_id, report);
          } catch (error) {
            // Not in the channel (not invited), or a private channel: the requester still gets the report.
            log.warn({ alias: account.alias, err: errorMessage(error) }, 'posting the report in the channel failed; sending it to the requester');
            return undefined;
          }
          const incomplete = await postRest(client, posted, report, log);
          return { ...posted, ...(incomplete ? { incomplete } : {}) };
        })();
        posts.set(postKey, post);
      }
      const posted = await post;
      if (posted) {
        const link = messageLink(command.team_domain, posted.channel, posted.ts);
        const where = link ? `<${link}|in the channel>` : 'in the channel';
        await respond({
          replace_original: true,
          response_type: 'ephemeral',
          text: first
            ? `:white_check_mark: The report on ${label} is ${where}.${posted.incomplete ? ` Part of it could not be posted (${escapeMrkdwn(posted.incomplete)}).` : ''}`
            : `:white_check_mark: The report on ${label} is ${where}: this audit was shared with others who asked at the same time, and its report is posted once.`,
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
        const intro = await client.chat.postMessage({
          channel: command.user_id,
          text: `The rest of the report on ${label} (${plural(report.total, 'finding')}), only for you:`,
        });
        const incomplete = await postRest(client, { channel: intro.channel ?? command.user_id, ts: intro.ts ?? '' }, report, log);
        if (incomplete) log.warn({ alias: account.alias, err: incomplete }, 'part of a report could not be posted');
      } catch (error) {
        log.warn({ alias: account.alias, err: errorMessage(error) }, 'the rest of the report could not be sent to the requester');
        await respond({
          response_type: 'ephemeral',
          text: `:warning: The rest of the report could not be sent to your messages with the app (${escapeMrkdwn(errorMessage(error))}). \`npm run audit -- ${escapeMrkdwn(account.alias)} --format csv\` prints every finding.`,
        });
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
  async function postRest(
    client: WebClient,
    under: { channel: string; ts: string },
    report: ReturnType<typeof renderReport>,
    log: Logger,
  ): Promise<string | undefined> {
    try {
      for (const followUp of report.followUps) {
        await client.chat.postMessage({ channel: under.channel, thread_ts: under.ts, text: followUp.text, blocks: followUp.blocks, unfurl_links: false });
      }
      if (report.csv) {
        await client.filesUploadV2({
          channel_id: under.channel,
          thread_ts: under.ts,
          file: Buffer.from(report.csv.content, 'utf8'),
          filename: report.csv.filename,
          title: report.csv.title,
        });
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
    const muted = mutes.active(now());
    const accounts = check.allowed
      ? config.accounts.map((account) => ({
          account,
          last: history.lastAudit(account.alias, account.accountId, allCheckIds, muted),
          running: running.has(account.alias),
        }))
      : [];
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
        const unmuted = withoutMuted(result);
        await postReport(
          client,
          userId,
          renderReport({
            result: unmuted.result,
            checks,
            alias: account.alias,
            muted: unmuted.muted,
            ...(run.scanId !== undefined ? { scanId: run.scanId } : {}),
            ...fixableIn(account.accountId),
          }),
        );
      } catch (error) {
        await client.chat.postMessage({
          channel: userId,
          text: `:x: Could not audit ${escapeMrkdwn(account.alias)} (${account.accountId}): ${escapeMrkdwn(errorMessage(error))}`,
        });
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

  /** Reports offer fixes for the checks that have one, in accounts with a remediation role. */
  function fixableIn(accountId: string): { fixable?: (fix: string) => boolean } {
    const remediation = options.remediation;
    return remediation ? { fixable: (fix: string) => remediation.offers(accountId, fix) } : {};
  }

  const fixes: { start: StartFix } | undefined = options.remediation ? registerRemediation(app, options.remediation, logger) : undefined;

  /** The findings of a result that no mute in force covers, and how many were left out. */
  function withoutMuted(result: AuditResult): { result: AuditResult; muted: number } {
    const active = mutes.active(now());
    const findings = result.findings.filter((f) => !active.has(f.fingerprint));
    return { result: { ...result, findings }, muted: result.findings.length - findings.length };
  }

  /** Auditors may mute and unmute; so may remediators. */
  async function mayMute(userId: string): Promise<{ allowed: true } | { allowed: false; reason: string }> {
    if (access.isRemediator(userId)) return { allowed: true };
    const auditor = await access.checkAuditor(userId);
    return auditor.allowed ? auditor : { allowed: false, reason: auditor.reason.replace('run audits', 'mute findings') };
  }

  /** The alias a finding's account goes by: its scan's, else the first configured one. */
  function aliasOf(accountId: string, scanAlias: string | undefined): string | undefined {
    return scanAlias ?? config.accounts.find((a) => a.accountId === accountId)?.alias;
  }

  /** The mutes in force, of one account (by alias) or all. */
  function listMutes(alias: string | undefined): ListedMute[] {
    const accountId = alias === undefined ? undefined : config.accounts.find((a) => a.alias === alias)?.accountId;
    const states = new Map(store.data.findings.map((f) => [f.fingerprint, f]));
    return [...mutes.active(now()).values()]
      .filter((m) => accountId === undefined || m.accountId === accountId)
      .map((mute) => {
        const state = states.get(mute.fingerprint);
        return { mute, state, alias: aliasOf(mute.accountId, undefined), check: state ? checksById.get(state.checkId) : undefined };
      });
  }

  /** Tells the user something about their click: ephemeral under the message when there is one, else in their messages with the app. */
  async function tell(body: BlockAction, client: WebClient, text: string, respond?: RespondFn): Promise<void> {
    if (respond && body.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text });
    else await client.chat.postMessage({ channel: body.user.id, text });
  }

  // "Mute…" on a finding (reports and digests): the menu names the finding by scan id and fingerprint; the server looks it up.
  app.action<BlockAction>(MUTE_ACTION, async ({ ack, body, action, client, respond }) => {
    await ack();
    const userId = body.user.id;
    const value = action.type === 'static_select' ? action.selected_option?.value : action.type === 'button' ? action.value : undefined;
    // "Fix" entries of a "Mute or fix…" menu.
    if (typeof value === 'string' && value.startsWith(FIX_PREFIX)) {
      if (!fixes) return tell(body, client, 'Fixes are not offered by this bot.', respond);
      return fixes.start({ body, client, respond, ref: value.slice(FIX_PREFIX.length) });
    }
    const lookup = mutes.lookup(value);
    logger.info({ user: userId, ref: typeof value === 'string' ? value.slice(0, 120) : null, found: lookup.found }, 'mute requested');
    if (!lookup.found) return tell(body, client, `:x: ${lookup.reason}`, respond);
    // The modal must open within 3 s of the click (trigger_id). Access is decided here when that is quick (the
    // user-group cache is fresh, or Slack answers fast); otherwise the modal opens and the submission decides.
    const may = await Promise.race([mayMute(userId), new Promise<'slow'>((r) => setTimeout(() => r('slow'), ACCESS_WAIT_BEFORE_MODAL_MS))]);
    if (may !== 'slow' && !may.allowed) return tell(body, client, may.reason, respond);
    const { state, scan } = lookup.finding;
    if (state.resolvedAt !== null) {
      return tell(body, client, `That finding is resolved (${slackDateOf(state.resolvedAt)}): there is nothing to mute.`, respond);
    }
    const clicked = clickedMessage(body);
    const metadata: MuteModalMetadata = { ref: value as string };
    if (clicked) {
      metadata.channel = clicked.channel;
      // A menu in a thread reply (the digest's details): the note joins that thread.
      metadata.threadTs = clicked.threadTs;
    } else if (body.response_url) {
      metadata.responseUrl = body.response_url;
    }
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: renderMuteModal({
          state,
          alias: aliasOf(state.accountId, scan?.alias),
          check: checksById.get(state.checkId),
          current: mutes.active(now()).get(state.fingerprint),
          initialDay: defaultMuteDay(now(), muteTimeZone),
          timeZone: muteTimeZone,
          metadata,
        }),
      });
    } catch (error) {
      logger.warn({ user: userId, err: errorMessage(error) }, 'the mute modal could not be opened');
      await tell(body, client, `:x: The mute dialog could not be opened (${escapeMrkdwn(errorMessage(error))}). Pick the finding again.`, respond);
    }
  });

  app.view(MUTE_VIEW, async ({ ack, body, view, client }) => {
    const values = view.state.values;
    const reason = muteReason(values[MUTE_REASON.block]?.[MUTE_REASON.action]?.value);
    const expiry = muteExpiry(values[MUTE_EXPIRY.block]?.[MUTE_EXPIRY.action]?.selected_date, now(), muteTimeZone);
    if ('error' in reason || 'error' in expiry) {
      const errors: Record<string, string> = {};
      if ('error' in reason) errors[MUTE_REASON.block] = reason.error;
      if ('error' in expiry) errors[MUTE_EXPIRY.block] = expiry.error;
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    const userId = body.user.id;
    const metadata = parseMuteMetadata(view.private_metadata);
    // Where the click came from: the message's thread, or (a report only the user saw) its response_url, valid for
    // 30 minutes; failing both, the user's messages with the app.
    const reply = async (text: string, publicNote = false) => {
      try {
        if (publicNote && metadata?.channel && metadata.threadTs) {
          await client.chat.postMessage({ channel: metadata.channel, thread_ts: metadata.threadTs, text, unfurl_links: false });
          return;
        }
        if (metadata?.responseUrl) {
          const answer = await fetch(metadata.responseUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
          });
          if (answer.ok) return;
        }
      } catch (error) {
        logger.warn({ user: userId, err: errorMessage(error) }, 'a mute note could not be posted where the mute was chosen');
      }
      await client.chat.postMessage({ channel: userId, text });
    };
    const lookup = mutes.lookup(metadata?.ref);
    if (!lookup.found) return reply(`:x: ${lookup.reason}`);
    // Decided again on submission: the modal may have stayed open while access changed.
    const may = await mayMute(userId);
    if (!may.allowed) return reply(may.reason);
    const { state, scan } = lookup.finding;
    let mute: Awaited<ReturnType<Mutes['mute']>>;
    try {
      mute = await mutes.mute({ state, reason: reason.reason, mutedBy: userId, expiresAt: expiry.expiresAt, now: now() });
    } catch (error) {
      logger.error({ user: userId, err: errorMessage(error) }, 'a mute could not be saved');
      return reply(`:x: The mute could not be saved (${escapeMrkdwn(errorMessage(error))}); the finding is not muted.`);
    }
    logger.info(
      { user: userId, fingerprint: state.fingerprint, accountId: state.accountId, checkId: state.checkId, expiresAt: mute.expiresAt },
      'finding muted',
    );
    await reply(muteNote(mute, state, aliasOf(state.accountId, scan?.alias), checksById.get(state.checkId)), true);
  });

  // "Unmute" in `/audit mutes`: the value names the mute (and the list's filter, to redraw it); the server decides.
  app.action<BlockAction>(UNMUTE_ACTION, async ({ ack, body, action, client, respond }) => {
    await ack();
    const userId = body.user.id;
    const [muteId = '', filter = ''] = (action.type === 'button' && typeof action.value === 'string' ? action.value : '').split(' ');
    const may = await mayMute(userId);
    if (!may.allowed) return tell(body, client, may.reason, respond);
    const ended = await mutes.unmute(muteId, userId, now());
    logger.info({ user: userId, mute: muteId.slice(0, 40), unmuted: ended !== undefined }, 'unmute requested');
    const alias = config.accounts.some((a) => a.alias === filter) ? filter : undefined;
    const note = ended
      ? `:bell: Unmuted: it shows in reports again, and in the next digest under "resurfaced".`
      : 'That mute had already ended (expired, or someone unmuted it).';
    const [first] = renderMuteList(listMutes(alias), alias, note);
    if (respond && body.response_url) await respond({ response_type: 'ephemeral', replace_original: true, text: first!.text, blocks: first!.blocks });
    else await client.chat.postMessage({ channel: userId, text: note });
  });

  return {
    app,
    async start(port?: number) {
      if (env.mode === 'socket') {
        if (env.healthPort !== undefined) {
          healthServer = await startHealthServer(health, port ?? env.healthPort);
          logger.info({ port: healthServer.port, path: HEALTH_PATH }, 'health endpoint listening');
        }
        await app.start();
        logger.info({ mode: 'socket' }, 'Slack app connected (Socket Mode)');
        return healthServer ? { port: healthServer.port } : {};
      }
      const server = (await app.start(port ?? env.port)) as Server;
      const actual = (server.address() as AddressInfo).port;
      logger.info({ mode: 'http', port: actual, path: '/slack/events', health: HEALTH_PATH }, 'Slack app listening');
      return { port: actual };
    },
    async stop() {
      // Stop taking requests, then let the audits under way post their reports.
      stopping = true;
      await app.stop();
      await healthServer?.close();
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** A link to a message, when the workspace's domain is a plain one (it comes with the request: untrusted). */
function messageLink(teamDomain: string | undefined, channel: string, ts: string): string | undefined {
  if (!teamDomain || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(teamDomain) || !/^[A-Z0-9]+$/.test(channel) || !/^\d+\.\d+$/.test(ts)) return undefined;
  return `https://${teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
}

function slackDateOf(iso: string): string {
  return slackDate(new Date(iso), '{date_short_pretty}', iso);
}

function statusText(audits: AuditService): string {
  const running = audits.list();
  if (running.length === 0) return 'No audit is running.';
  const lines = running.map((r) => {
    const seconds = Math.round((Date.now() - r.startedAt.getTime()) / 1000);
    const progress = r.progress.total ? `${r.progress.done}/${r.progress.total} checks` : 'starting';
    const who = r.requesters.map((u) => (u === DIGEST_REQUESTER ? 'the digest' : `<@${u}>`)).join(', ');
    return `• *${escapeMrkdwn(r.account.alias)}* (${r.account.accountId}): ${progress}, ${seconds} s, asked by ${who}`;
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
