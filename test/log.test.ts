import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine, scrub } from '../src/log.js';

function capture(format: 'json' | 'pretty', secrets: string[] = []) {
  const lines: string[] = [];
  const logger = createLogger({ format, secrets, write: (line) => lines.push(line) });
  return { logger, lines };
}

describe('logger', () => {
  it('writes JSON lines with the message and fields', () => {
    const { logger, lines } = capture('json');
    logger.info({ alias: 'prod', findings: 3 }, 'audit finished');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, msg: 'audit finished', alias: 'prod', findings: 3 });
  });

  it('never writes a token or credential: by key, by value, by pattern', () => {
    const botToken = 'xoxb-1111111111-2222222222-abcdefABCDEF123456';
    const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5';
    const { logger, lines } = capture('json', [botToken, signingSecret]);
    logger.info(
      {
        token: botToken,
        nested: { signingSecret, credentials: { AccessKeyId: 'ASIAIOSFODNN7EXAMPLE', SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } },
      },
      'starting',
    );
    logger.error(new Error(`call failed with token ${botToken} and secret ${signingSecret}`), 'Web API error');
    logger.warn({ url: 'https://hooks.slack.com/commands/T0/123/abcDEF' }, `app token xapp-1-A0-123-abcdef0123456789 seen; key AKIAIOSFODNN7EXAMPLE`);
    const all = lines.join('');
    for (const secret of [botToken, signingSecret, 'wJalrXUtnFEMI', 'ASIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE', 'xapp-1-A0', 'abcDEF']) {
      expect(all).not.toContain(secret);
    }
    expect(all).toContain('AKIA…MPLE');
    expect(all).toContain('[redacted]');
  });

  it('writes one readable line per entry in a terminal', () => {
    const { logger, lines } = capture('pretty');
    logger.warn({ alias: 'prod', regions: ['us-east-1'] }, 'region skipped');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d WARN {2}region skipped alias=prod regions=\["us-east-1"\]\n$/);
    expect(prettyLine('not json')).toBe('not json');
  });

  it('shows what AWS said with its controls escaped, and an error by its message, not its stack', () => {
    const { logger, lines } = capture('pretty');
    logger.warn({ alias: 'prod', err: 'not \u001b]0;TITLE\u0007authorized \u202eevil \u001b[2J' }, 'digest: account could not be audited');
    expect(lines[0]).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(lines[0]).toContain('err=not \\x1b]0;TITLE\\x07authorized \\u202eevil \\x1b[2J');
    logger.warn({ err: new Error('AccessDenied on AssumeRole') }, 'audit failed');
    expect(lines[1]).toContain('err="AccessDenied on AssumeRole"');
    expect(lines[1]).not.toContain(' at ');
  });

  it('scrubs only values long enough to be secrets', () => {
    expect(scrub('a short value abc', ['abc'])).toBe('a short value abc');
  });
});
