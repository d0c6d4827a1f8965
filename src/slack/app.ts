import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { SlackEnv } from './env.js';
import { answerHealth, HEALTH_PATH, startHealthServer, type HealthSources, type SlackConnectionState } from './health.js';
import { tellUser } from './post.js';

export interface SlackAppOptions {
  env: SlackEnv;
  logger: Logger;
  /** What /healthz reports besides the Slack connection. */
  health: Pick<HealthSources, 'storeLost' | 'auditsRunning'>;
  /** The time (tests move it). */
  now?: () => Date;
}

export interface SlackApp {
  app: InstanceType<typeof App>;
  /** Starts listening (HTTP mode: on `env.port`, or `port` when given, 0 = any free port). */
  start(port?: number): Promise<{ port?: number }>;
  /** Stops taking requests and waits until the work tracked (reports under way) is done. */
  stop(): Promise<void>;
  /** Keeps `work` (a report being posted) until it ends: stop() waits for it. */
  track<T>(work: Promise<T>): Promise<T>;
}

/** What the user is told when a handler fails: the log has the details, never the user. */
export const HANDLER_FAILED_TEXT =
  ":x: Something went wrong while the bot handled that, and it could not finish. The bot's log has the details; try again, or ask whoever runs the bot.";

/** Bolt's handler of failed listeners with `extendedErrorHandler: true` (the last overload of `app.error`; Bolt does not export the type). */
type ExtendedErrorHandler = Parameters<App['error']>[0];

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

/** Payloads a person sent by doing something (a command, a click, a dialog): the ones whose failure they are told of. */
const TOLD_TYPES = new Set(['block_actions', 'view_submission', 'shortcut', 'message_action']);

/**
 * Who asked and where they can be answered, from a command, a click or a
 * dialog (untrusted: checked field by field). Nothing for events (a Home tab
 * opened): nobody asked for anything, and a failure there is only logged.
 */
function requesterOf(body: unknown): { user?: string; responseUrl?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as { type?: unknown; command?: unknown; user_id?: unknown; user?: { id?: unknown }; response_url?: unknown };
  if (typeof b.command !== 'string' && !(typeof b.type === 'string' && TOLD_TYPES.has(b.type))) return {};
  const user = [b.user_id, b.user?.id].find((u): u is string => typeof u === 'string' && /^[UW][A-Z0-9]{2,}$/.test(u));
  const responseUrl = typeof b.response_url === 'string' && /^https?:\/\//.test(b.response_url) ? b.response_url : undefined;
  return { ...(user ? { user } : {}), ...(responseUrl ? { responseUrl } : {}) };
}

/**
 * The Bolt app (HTTP or Socket Mode), its health endpoint, and start and
 * stop. The listeners are registered by commands/ on `app`; a listener that
 * throws is logged and its user told (under the message or command when Slack
 * gave a response_url, else in their messages with the app).
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { env, logger } = options;
  const now = options.now ?? (() => new Date());
  const clientOptions = env.apiUrl ? { slackApiUrl: env.apiUrl } : {};
  let slackState: SlackConnectionState = env.mode === 'socket' ? 'connecting' : 'listening';
  const health: HealthSources = { mode: env.mode, slack: () => slackState, ...options.health, startedAt: now() };
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
    app = new App({ token: env.botToken, receiver, logger: boltLogger(logger), clientOptions, extendedErrorHandler: true });
  } else {
    app = new App({
      token: env.botToken,
      signingSecret: env.signingSecret,
      logger: boltLogger(logger),
      clientOptions,
      processBeforeResponse: false,
      extendedErrorHandler: true,
      customRoutes: [{ path: HEALTH_PATH, method: ['GET', 'HEAD'], handler: (req, res) => answerHealth(health, req, res) }],
    });
  }

  // A handler that throws: logged with what it was, and its user told (never the raw error).
  const onError: ExtendedErrorHandler = async ({ error, body }) => {
    const { user, responseUrl } = requesterOf(body);
    logger.error({ err: errorMessage(error), user, type: (body as { type?: unknown } | undefined)?.type }, 'a Slack handler failed');
    if (user || responseUrl) await tellUser(app.client, { user, responseUrl }, HANDLER_FAILED_TEXT, logger);
  };
  app.error(onError);

  const inFlight = new Set<Promise<unknown>>();
  const track = async <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    try {
      return await work;
    } finally {
      inFlight.delete(work);
    }
  };

  return {
    app,
    track,
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
      // Stop taking requests, then let the work under way (reports being posted) finish.
      stopping = true;
      await app.stop();
      await healthServer?.close();
      await Promise.allSettled([...inFlight]);
    },
  };
}
