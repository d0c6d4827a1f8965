import { describe, expect, it } from 'vitest';
import { readSlackEnv } from '../../src/slack/env.js';
import { AuditBotError } from '../../src/errors.js';

const BOT = 'xoxb-1111111111-2222222222-abcdefABCDEF123456';
const SECRET = '0123456789abcdef0123456789abcdef';

function problems(env: NodeJS.ProcessEnv): string {
  try {
    readSlackEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(AuditBotError);
    expect((error as AuditBotError).code).toBe('ENV_INVALID');
    return (error as Error).message;
  }
  throw new Error('expected the environment to be refused');
}

describe('readSlackEnv', () => {
  it('runs Socket Mode when SLACK_APP_TOKEN is set, HTTP mode otherwise', () => {
    expect(readSlackEnv({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: 'xapp-1-A0-1-abc' })).toEqual({ mode: 'socket', botToken: BOT, appToken: 'xapp-1-A0-1-abc' });
    expect(readSlackEnv({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET })).toEqual({ mode: 'http', botToken: BOT, signingSecret: SECRET, port: 3000 });
    expect(readSlackEnv({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, PORT: '8080', SLACK_API_URL: 'http://127.0.0.1:9999/api' })).toMatchObject({
      port: 8080,
      apiUrl: 'http://127.0.0.1:9999/api/',
    });
  });

  it('names every missing or malformed variable, where to get it, and never echoes a value', () => {
    expect(problems({})).toBe(
      'The Slack app cannot start:\n' +
        '- SLACK_BOT_TOKEN is not set: get it at api.slack.com/apps › your app › OAuth & Permissions › Bot User OAuth Token (xoxb-…).\n' +
        '- SLACK_SIGNING_SECRET is not set (needed in HTTP mode; set SLACK_APP_TOKEN instead for Socket Mode): get it at api.slack.com/apps › your app › Basic Information › App Credentials › Signing Secret.',
    );
    const message = problems({ SLACK_BOT_TOKEN: 'xoxp-user-token-123', SLACK_APP_TOKEN: 'bad-app-token', SLACK_API_URL: 'ftp://x' });
    expect(message).toContain('SLACK_BOT_TOKEN does not look like a bot token');
    expect(message).toContain('SLACK_APP_TOKEN does not look like an app-level token');
    expect(message).toContain('SLACK_API_URL must be an http(s) URL');
    expect(message).not.toContain('xoxp-user-token-123');
    expect(message).not.toContain('bad-app-token');
    expect(problems({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: 'short' })).toContain('32 hexadecimal characters');
    expect(problems({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, PORT: '70000' })).toContain('PORT must be a port number');
  });
});
