/**
 * Text helpers for Slack mrkdwn. Everything from AWS or from users (resource
 * ids, names, tag values, error messages, typed aliases) goes through
 * `escapeMrkdwn` before it enters mrkdwn, so a tag value like `<!channel>` or
 * `<https://evil|click>` shows as text instead of pinging or forging a link.
 */

/**
 * A raw access key id (`AKIA…` long-term, `ASIA…` temporary): 20 upper-case
 * letters and digits not glued to other letters or digits. Unlike `\b`, an
 * underscore counts as a separator, so `key_AKIA…` is caught too.
 */
const ACCESS_KEY_ID = /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;

/** `AKIAIOSFODNN7EXAMPLE` -> `AKIA…MPLE`, wherever it occurs. The checks already mask; this is the net under them. */
export function maskAccessKeyIds(text: string): string {
  return text.replace(ACCESS_KEY_ID, (id) => `${id.slice(0, 4)}…${id.slice(-4)}`);
}

/**
 * Makes an untrusted string safe inside mrkdwn: `&`, `<`, `>` become entities
 * (the only three Slack parses), and raw access key ids are masked. Not
 * idempotent on purpose: `&amp;` typed by a user shows as `&amp;`.
 */
export function escapeMrkdwn(text: string): string {
  return maskAccessKeyIds(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Control characters (newlines included) become spaces, so an AWS string
 * cannot start a line of its own and pass for another finding.
 */
export function singleLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

export const ELLIPSIS = '…';

/** Where to cut `text` to at most `max` UTF-16 units without splitting a surrogate pair. */
function safeCut(text: string, max: number): number {
  let cut = Math.max(0, max);
  const code = text.charCodeAt(cut - 1);
  if (cut > 0 && code >= 0xd800 && code <= 0xdbff) cut--;
  return cut;
}

/**
 * Shortens mrkdwn that is already escaped (or built by us) to at most `max`
 * characters, ending with `…` when cut. Never cuts an entity (`&amp;`,
 * `&lt;`, `&#39;`), a `<…>` token such as a date or mention we produced, or a
 * surrogate pair in half: a half entity would show as raw `&am`, a half token
 * would swallow the rest of the message.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < ELLIPSIS.length) return '';
  let cut = safeCut(text, max - ELLIPSIS.length);
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp !== -1 && /^&(?:[a-zA-Z]+|#\d+);/.test(text.slice(amp, amp + 12))) {
    const end = text.indexOf(';', amp);
    if (end >= cut) cut = amp;
  }
  const open = text.lastIndexOf('<', cut - 1);
  if (open !== -1 && text.lastIndexOf('>', cut - 1) < open) cut = open;
  return text.slice(0, cut).trimEnd() + ELLIPSIS;
}

/** Shortens plain text (a `plain_text` field, a file title) to at most `max` characters, ending with `…` when cut. */
export function truncatePlain(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < ELLIPSIS.length) return '';
  return text.slice(0, safeCut(text, max - ELLIPSIS.length)).trimEnd() + ELLIPSIS;
}

/**
 * The usual way to show one untrusted value in a line of mrkdwn: one line,
 * trimmed, escaped, key ids masked, and at most `max` characters after escaping.
 */
export function inlineMrkdwn(text: string, max = Number.POSITIVE_INFINITY): string {
  return truncateMrkdwn(escapeMrkdwn(singleLine(text).trim()), max);
}

/** An untrusted value for a `plain_text` field: one line, key ids masked, at most `max` characters. No escaping: Slack shows plain_text as is. */
export function plainText(text: string, max: number): string {
  return truncatePlain(maskAccessKeyIds(singleLine(text)), max);
}

/**
 * A date Slack shows in each reader's own time zone:
 * `<!date^1700000000^{date_short_pretty} {time}|2023-11-14T22:13:20.000Z>`.
 * Built by us, so it is not escaped; an invalid date falls back to escaped text.
 */
export function slackDate(date: Date, format = '{date_short_pretty} {time}', fallback?: string): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return escapeMrkdwn(fallback ?? 'unknown time');
  const alt = (fallback ?? date.toISOString()).replace(/[|<>&]/g, ' ');
  return `<!date^${Math.floor(ms / 1000)}^${format.replace(/[|<>&^]/g, '')}|${alt}>`;
}

/** `1 finding`, `3 findings`. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : pluralWord}`;
}

/** A user id as a mention when it is one, else as inert text. */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(userId) ? `<@${userId}>` : inlineMrkdwn(userId, 40);
}
