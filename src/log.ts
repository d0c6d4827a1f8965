import { pino, type Logger } from 'pino';
import { terminalSafe } from './terminal/sanitize.js';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they sit in a logged object. */
const SECRET_KEYS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'secret',
  'password',
  'authorization',
  'Authorization',
  'secretAccessKey',
  'SecretAccessKey',
  'sessionToken',
  'SessionToken',
  'accessKeyId',
  'AccessKeyId',
  'credentials',
  'Credentials',
  'response_url',
  'responseUrl',
];

const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/**
 * Patterns of credentials that may hide inside free text (an error message
 * quoting a URL, a stack): Slack tokens, AWS access key ids, Slack response
 * URLs (they can post as the app for 30 minutes).
 */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/xox[abposre]-[A-Za-z0-9-]{8,}/g, 'xox?-[redacted]'],
  [/xapp-[A-Za-z0-9-]{8,}/g, 'xapp-[redacted]'],
  [/\b(AKIA|ASIA)[A-Z0-9]{12}([A-Z0-9]{4})\b/g, '$1…$2'],
  [/https:\/\/hooks\.slack\.com\/[^\s"']+/g, 'https://hooks.slack.com/[redacted]'],
];

/** Removes every known secret value and credential pattern from a serialized line. */
export function scrub(line: string, secrets: readonly string[] = []): string {
  let out = line;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export interface LogOptions {
  /** JSON lines (production, log shippers) or one readable line per entry (a terminal). */
  format?: 'json' | 'pretty';
  level?: string;
  /** Exact values to remove wherever they appear (the bot's tokens and signing secret). */
  secrets?: readonly string[];
  /** Where lines go; default stdout. */
  write?: (line: string) => void;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** `12:00:01 INFO  audit finished alias=prod findings=3` from a pino JSON line. */
function isErrorObject(v: unknown): v is { message: string } {
  return (
    typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string' && typeof (v as { stack?: unknown }).stack === 'string'
  );
}

export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, pid: _pid, hostname: _hostname, ...rest } = entry;
  const when = typeof time === 'number' ? new Date(time).toISOString().slice(11, 19) : '--:--:--';
  const name = (typeof level === 'number' ? LEVEL_NAMES[level] : undefined) ?? String(level);
  // A stack says nothing to the person reading the terminal; its first line does.
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(isErrorObject(v) ? v.message : v)}`);
  // AWS answers and Slack payloads reach these lines: controls are shown, never acted on by the terminal.
  return `${terminalSafe(`${when} ${name.padEnd(5)} ${String(msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}`)}\n`;
}

/**
 * The bot's logger: structured, with secrets removed twice over (by key
 * anywhere in a logged object, and by value and pattern in the final line).
 */
export function createLogger(options: LogOptions = {}): Logger {
  const format = options.format ?? (process.env.NODE_ENV === 'production' || !process.stdout.isTTY ? 'json' : 'pretty');
  const secrets = options.secrets ?? [];
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: (line) => scrub(line, secrets) },
    },
    { write: (line: string) => write(format === 'pretty' ? prettyLine(line) : line) },
  );
}
