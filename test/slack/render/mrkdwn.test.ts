import { describe, expect, it } from 'vitest';
import {
  escapeMrkdwn,
  inlineMrkdwn,
  maskAccessKeyIds,
  plainText,
  plural,
  singleLine,
  slackDate,
  truncateMrkdwn,
  truncatePlain,
} from '../../../src/slack/render/mrkdwn.js';

/** Every `&` starts a whole entity: nothing was cut in half. */
function entitiesWhole(text: string): boolean {
  return /^(?:[^&]|&(?:amp|lt|gt);)*$/s.test(text);
}

describe('escapeMrkdwn', () => {
  it('turns the three characters Slack parses into entities', () => {
    expect(escapeMrkdwn('<!channel>')).toBe('&lt;!channel&gt;');
    expect(escapeMrkdwn('<https://evil.example|click>')).toBe('&lt;https://evil.example|click&gt;');
    expect(escapeMrkdwn('<@U123> & <#C123>')).toBe('&lt;@U123&gt; &amp; &lt;#C123&gt;');
  });

  it('escapes & first, so an entity typed by a user shows as typed', () => {
    expect(escapeMrkdwn('&amp; &lt;!here&gt;')).toBe('&amp;amp; &amp;lt;!here&amp;gt;');
  });

  it('leaves formatting characters and plain text alone', () => {
    expect(escapeMrkdwn('*bold* _it_ ~s~ `c` prod-db.01')).toBe('*bold* _it_ ~s~ `c` prod-db.01');
  });

  it('masks raw access key ids too', () => {
    expect(escapeMrkdwn('key AKIAIOSFODNN7EXAMPLE of <bob>')).toBe('key AKIA…MPLE of &lt;bob&gt;');
  });
});

describe('maskAccessKeyIds', () => {
  it('masks long-term and temporary key ids wherever they occur', () => {
    expect(maskAccessKeyIds('AKIAIOSFODNN7EXAMPLE')).toBe('AKIA…MPLE');
    expect(maskAccessKeyIds('session ASIAY34FZKBOKMUTVV7A, old=AKIAABCDEFGHIJKLWXYZ.')).toBe('session ASIA…VV7A, old=AKIA…WXYZ.');
    expect(maskAccessKeyIds('key_AKIAIOSFODNN7EXAMPLE_old')).toBe('key_AKIA…MPLE_old');
    expect(maskAccessKeyIds('arn:aws:iam::1:user/x/AKIAIOSFODNN7EXAMPLE')).toBe('arn:aws:iam::1:user/x/AKIA…MPLE');
  });

  it('is idempotent and leaves what is not a key id', () => {
    expect(maskAccessKeyIds('AKIA…MPLE')).toBe('AKIA…MPLE');
    // 21 characters, or glued to other letters: not a key id.
    expect(maskAccessKeyIds('AKIAIOSFODNN7EXAMPLEX xAKIAIOSFODNN7EXAMPLE')).toBe('AKIAIOSFODNN7EXAMPLEX xAKIAIOSFODNN7EXAMPLE');
    expect(maskAccessKeyIds('akiaiosfodnn7example AKIAshort')).toBe('akiaiosfodnn7example AKIAshort');
  });
});

describe('singleLine', () => {
  it('turns newlines and control characters into spaces, so AWS text cannot start a line of its own', () => {
    expect(singleLine('a\n• fake finding\r\n\tb\u0007c\u2028d')).toBe('a • fake finding b c d');
  });
});

describe('truncateMrkdwn', () => {
  it('keeps short text as is', () => {
    expect(truncateMrkdwn('&lt;ok&gt;', 10)).toBe('&lt;ok&gt;');
  });

  it('never cuts an entity in half, at any length', () => {
    const text = escapeMrkdwn('a&b<c>d '.repeat(12));
    for (let max = 0; max <= text.length + 1; max++) {
      const cut = truncateMrkdwn(text, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(entitiesWhole(cut), `max ${max}: ${cut}`).toBe(true);
      if (max < text.length && max > 0) {
        expect(cut.endsWith('…')).toBe(true);
        expect(text.startsWith(cut.slice(0, -1))).toBe(true);
      }
    }
  });

  it('drops a whole entity rather than part of it', () => {
    expect(truncateMrkdwn('abc &amp; def', 8)).toBe('abc…');
    expect(truncateMrkdwn('abc &amp; def', 10)).toBe('abc &amp;…');
  });

  it('never cuts a <…> token we produced (a date) in half', () => {
    const text = `scanned ${slackDate(new Date('2025-03-01T09:30:00Z'))} by us`;
    expect(truncateMrkdwn(text, 30)).toBe('scanned…');
  });

  it('never splits a surrogate pair', () => {
    const cut = truncateMrkdwn('ab😀😀😀', 4);
    expect(cut).toBe('ab…');
    expect(cut.length).toBeLessThanOrEqual(4);
  });
});

describe('truncatePlain and plainText', () => {
  it('cut to the limit with an ellipsis', () => {
    expect(truncatePlain('x'.repeat(200), 150)).toHaveLength(150);
    expect(truncatePlain('x'.repeat(200), 150).endsWith('…')).toBe(true);
    expect(truncatePlain('short', 150)).toBe('short');
  });

  it('plainText masks and flattens but does not escape (plain_text is shown as is)', () => {
    expect(plainText('<!channel>\nAKIAIOSFODNN7EXAMPLE', 150)).toBe('<!channel> AKIA…MPLE');
  });
});

describe('inlineMrkdwn', () => {
  it('is one escaped line of at most max characters, counted after escaping', () => {
    const out = inlineMrkdwn(`<!channel>\n${'&'.repeat(100)}`, 40);
    expect(out.length).toBeLessThanOrEqual(40);
    expect(out.startsWith('&lt;!channel&gt; &amp;')).toBe(true);
    expect(entitiesWhole(out)).toBe(true);
    expect(out).not.toContain('\n');
  });
});

describe('slackDate', () => {
  it('is a date token Slack renders in the reader’s time zone, with the ISO time as fallback', () => {
    expect(slackDate(new Date('2025-03-01T09:30:00Z'))).toBe('<!date^1740821400^{date_short_pretty} {time}|2025-03-01T09:30:00.000Z>');
  });

  it('cannot be broken by its fallback text, and an invalid date becomes escaped text', () => {
    expect(slackDate(new Date('2025-03-01T09:30:00Z'), '{date}', 'a|b>c')).toBe('<!date^1740821400^{date}|a b c>');
    expect(slackDate(new Date('nope'), undefined, '<!channel>')).toBe('&lt;!channel&gt;');
  });
});

describe('plural', () => {
  it('counts with thousands separators', () => {
    expect(plural(1, 'finding')).toBe('1 finding');
    expect(plural(0, 'finding')).toBe('0 findings');
    expect(plural(2000, 'API call')).toBe('2,000 API calls');
  });
});
