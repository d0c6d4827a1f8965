import { AuditBotError } from '../errors.js';

export type SlackEnv =
  | {
      mode: 'socket';
      botToken: string;
      appToken: string;
      apiUrl?: string /** Serves /healthz (Socket Mode has no HTTP server of its own). */;
      healthPort?: number;
    }
  | { mode: 'http'; botToken: string; signingSecret: string; port: number; apiUrl?: string };

const WHERE = {
  SLACK_BOT_TOKEN: 'api.slack.com/apps › your app › OAuth & Permissions › Bot User OAuth Token (xoxb-…)',
  SLACK_APP_TOKEN: 'api.slack.com/apps › your app › Basic Information › App-Level Tokens, with the connections:write scope (xapp-…)',
  SLACK_SIGNING_SECRET: 'api.slack.com/apps › your app › Basic Information › App Credentials › Signing Secret',
} as const;

/**
 * Reads the Slack settings from the environment: Socket Mode when
 * SLACK_APP_TOKEN is set, HTTP mode (SLACK_SIGNING_SECRET, PORT) otherwise.
 * Every problem is named in one message, with where to get the value; no
 * value is ever echoed back.
 */
export function readSlackEnv(env: NodeJS.ProcessEnv = process.env): SlackEnv {
  const problems: string[] = [];
  const value = reader(env);
  const { botToken, apiUrl } = webApiSettings(value, problems);

  const appToken = value('SLACK_APP_TOKEN');
  const signingSecret = value('SLACK_SIGNING_SECRET');
  if (appToken !== undefined && !/^xapp-[A-Za-z0-9-]+$/.test(appToken)) {
    problems.push(
      `SLACK_APP_TOKEN does not look like an app-level token (it starts with xapp-): get it at ${WHERE.SLACK_APP_TOKEN}, or unset it to run in HTTP mode.`,
    );
  }
  if (appToken === undefined) {
    if (!signingSecret)
      problems.push(
        `SLACK_SIGNING_SECRET is not set (needed in HTTP mode; set SLACK_APP_TOKEN instead for Socket Mode): get it at ${WHERE.SLACK_SIGNING_SECRET}.`,
      );
    else if (!/^[0-9a-f]{32}$/i.test(signingSecret))
      problems.push(`SLACK_SIGNING_SECRET does not look like a signing secret (32 hexadecimal characters): get it at ${WHERE.SLACK_SIGNING_SECRET}.`);
  }
  const portText = value('PORT');
  const port = portText === undefined ? 3000 : Number(portText);
  if (appToken === undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) problems.push('PORT must be a port number from 1 to 65535.');
  const healthText = value('HEALTH_PORT');
  const healthPort = healthText === undefined ? undefined : Number(healthText);
  if (healthPort !== undefined && (!Number.isInteger(healthPort) || healthPort < 1 || healthPort > 65535))
    problems.push('HEALTH_PORT must be a port number from 1 to 65535 (or unset: no health endpoint in Socket Mode).');

  if (problems.length > 0) {
    throw new AuditBotError('ENV_INVALID', `The Slack app cannot start:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
  const common = { botToken: botToken!, ...(apiUrl ? { apiUrl } : {}) };
  return appToken !== undefined
    ? { mode: 'socket', appToken, ...common, ...(healthPort !== undefined ? { healthPort } : {}) }
    : { mode: 'http', signingSecret: signingSecret!, port, ...common };
}

/**
 * What posting needs, without the app's connection settings: the bot token
 * and, optionally, SLACK_API_URL (for `aws-audit-bot digest`).
 */
export function readWebApiEnv(env: NodeJS.ProcessEnv = process.env, purpose = 'The digest cannot be posted'): { botToken: string; apiUrl?: string } {
  const problems: string[] = [];
  const { botToken, apiUrl } = webApiSettings(reader(env), problems);
  if (problems.length > 0) throw new AuditBotError('ENV_INVALID', `${purpose}:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  return { botToken: botToken!, ...(apiUrl ? { apiUrl } : {}) };
}

function reader(env: NodeJS.ProcessEnv): (name: string) => string | undefined {
  return (name) => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };
}

function webApiSettings(value: (name: string) => string | undefined, problems: string[]): { botToken: string | undefined; apiUrl: string | undefined } {
  const botToken = value('SLACK_BOT_TOKEN');
  if (!botToken) problems.push(`SLACK_BOT_TOKEN is not set: get it at ${WHERE.SLACK_BOT_TOKEN}.`);
  else if (!/^xoxb-[A-Za-z0-9-]+$/.test(botToken))
    problems.push(`SLACK_BOT_TOKEN does not look like a bot token (it starts with xoxb-): get it at ${WHERE.SLACK_BOT_TOKEN}.`);
  let apiUrl = value('SLACK_API_URL');
  if (apiUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(apiUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      problems.push('SLACK_API_URL must be an http(s) URL, the base of the Web API (like https://slack.com/api/).');
    else apiUrl = url.href.endsWith('/') ? url.href : `${url.href}/`;
  }
  return { botToken, apiUrl };
}
