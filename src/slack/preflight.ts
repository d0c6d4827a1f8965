import { WebClient } from '@slack/web-api';
import { AuditBotError, errorMessage } from '../errors.js';
import type { SlackEnv } from './env.js';

/** Slack's Web API base when SLACK_API_URL is not set. */
const DEFAULT_API_URL = 'https://slack.com/api/';

/** Quiet: the failure is reported once, as an error that says what to check, not as a warning per attempt. */
const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => 'error' as never,
  setName: () => undefined,
};

/** Tries for about half a minute at most: an unreachable Slack at start is a configuration or network problem to report, not to wait out. */
const PREFLIGHT = { retryConfig: { retries: 2, factor: 2, minTimeout: 1_000, maxTimeout: 4_000 }, timeout: 10_000, logger: silent };

interface WebApiErrorShape {
  code?: string;
  data?: { error?: string };
  original?: unknown;
}

function failure(method: string, url: string, variable: string, error: unknown): AuditBotError {
  const e = error as WebApiErrorShape;
  if (e.code === 'slack_webapi_platform_error' && e.data?.error) {
    const refused = ['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired'].includes(e.data.error);
    return new AuditBotError(
      'ENV_INVALID',
      refused
        ? `Slack refused ${variable} (${method} answered ${e.data.error}): check that it is this app's token and that the app is installed in the workspace.`
        : `Slack answered ${method} with ${e.data.error} (POST ${url}${method}).`,
      { cause: error },
    );
  }
  const original = e.original ?? error;
  // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a certificate) is its cause.
  const cause = (original as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const detail = cause ? (typeof cause.code === 'string' ? cause.code : typeof cause.message === 'string' ? cause.message : '') : '';
  const reason = `${errorMessage(original)}${detail ? `: ${detail}` : ''}`;
  return new AuditBotError(
    'SLACK_UNREACHABLE',
    `Cannot reach Slack: POST ${url}${method} failed after 3 attempts (${reason}). Check the network, a proxy or firewall between the bot and Slack${url === DEFAULT_API_URL ? '' : ', and SLACK_API_URL'}.`,
    { cause: error },
  );
}

/**
 * Before the app starts: the bot token works (auth.test) and, in Socket
 * Mode, the app token may open a connection (apps.connections.open). A
 * Slack that cannot be reached, or refuses a token, stops start-up with the
 * URL and method that failed, instead of Bolt retrying for ever.
 */
export async function checkSlack(env: SlackEnv): Promise<{ team?: string; botUserId?: string }> {
  const url = env.apiUrl ?? DEFAULT_API_URL;
  const options = { ...PREFLIGHT, ...(env.apiUrl ? { slackApiUrl: env.apiUrl } : {}) };
  let auth: Awaited<ReturnType<WebClient['auth']['test']>>;
  try {
    const client = new WebClient(env.botToken, options);
    auth = await client.auth.test();
  } catch (error) {
    throw failure('auth.test', url, 'SLACK_BOT_TOKEN', error);
  }
  if (env.mode === 'socket') {
    try {
      // The app-level token's own scope (connections:write), not a bot scope.
      const client = new WebClient(env.appToken, options);
      await client.apps.connections.open();
    } catch (error) {
      throw failure('apps.connections.open', url, 'SLACK_APP_TOKEN', error);
    }
  }
  return { ...(auth.team ? { team: auth.team } : {}), ...(auth.user_id ? { botUserId: auth.user_id } : {}) };
}
