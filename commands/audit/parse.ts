import { SEVERITIES, type Severity } from '../../src/audit/types.js';
import { FRAMEWORK_IDS } from '../../src/compliance/index.js';
import { escapeMrkdwn } from '../../src/slack/render/mrkdwn.js';

/** What `/audit …` asked for. `invalid.message` is mrkdwn, with every echoed piece of input escaped. */
export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'status' }
  | { kind: 'mutes'; alias?: string }
  | { kind: 'digest' }
  /** `alias` is lower-cased user input (escape it before echoing); `services` is empty for "all", else in the order of the known list. */
  | { kind: 'audit'; alias: string; services: string[]; minSeverity?: Severity; compliance?: string }
  | { kind: 'invalid'; message: string };

/** Longer input is refused before it is parsed. */
export const MAX_COMMAND_LENGTH = 500;

/** Echoed input is cut to this many characters so an error stays one line. */
const MAX_ECHO = 40;

const HELP_WORDS = new Set(['help', '--help', '-h']);

/**
 * Undoes Slack's escaping of `&`, `<`, `>` in the text it sends, and what
 * phones and Slack's editor do to typed text: non-breaking and other unicode
 * spaces, zero-width characters, smart quotes, and dashes that autocorrect made
 * out of `--`. Full-width letters (IME input) become ASCII through NFKC.
 */
export function normalizeCommandText(text: string): string {
  return text
    .replace(/&(amp|lt|gt);/g, (_, entity: string) => ({ amp: '&', lt: '<', gt: '>' })[entity as 'amp' | 'lt' | 'gt'])
    .normalize('NFKC')
    .replace(/[\u00ad\u180e\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g, '"')
    .replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'")
    .replace(/\s+/gu, ' ')
    .trim();
}

/** Quotes around a token carry no meaning here: `"prod"` is `prod`. */
function unquote(token: string): string {
  return token.replace(/^["']+|["']+$/g, '');
}

/** `—severity`, `–severity` (autocorrected `--`) and `−` (minus sign) read as `--severity`. */
function normalizeDashes(token: string): string {
  return token.replace(/^[\u2012-\u2015\u2212\ufe58\ufe63\uff0d]+-*/, '--');
}

/** User input, shortened, as an inline code span that cannot format, ping or link. */
function echo(input: string): string {
  const short = [...input].length > MAX_ECHO ? `${[...input].slice(0, MAX_ECHO - 1).join('')}…` : input;
  // A backtick would close the code span; everything else is inert once escaped.
  return `\`${escapeMrkdwn(short.replace(/`/g, "'"))}\``;
}

function code(text: string): string {
  return `\`${escapeMrkdwn(text)}\``;
}

function invalid(message: string): ParsedCommand {
  return { kind: 'invalid', message };
}

function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

const SEVERITY_CHOICES = SEVERITIES.map((s) => `\`${s}\``).join(', ');

/**
 * Parses the text after `/audit`. Keywords (help, list, status, mutes, digest)
 * win over an account alias of the same name.
 */
export function parseAuditCommand(text: string, services: readonly string[], commandName = '/audit'): ParsedCommand {
  const cmd = code(commandName);
  if (text.length > MAX_COMMAND_LENGTH) {
    return invalid(`That command is too long (${text.length} characters; at most ${MAX_COMMAND_LENGTH}). See ${code(`${commandName} help`)}.`);
  }
  const tokens = normalizeCommandText(text)
    .split(' ')
    .map((t) => unquote(normalizeDashes(t)))
    .filter((t) => t !== '');
  if (tokens.length === 0 || tokens.some((t) => HELP_WORDS.has(t.toLowerCase()))) return { kind: 'help' };

  const keyword = tokens[0]!.toLowerCase();
  const rest = tokens.slice(1);
  if (keyword === 'list' || keyword === 'status' || keyword === 'digest') {
    if (rest.length > 0) return invalid(`${code(`${commandName} ${keyword}`)} takes nothing after it (got ${echo(rest.join(' '))}).`);
    return { kind: keyword };
  }
  if (keyword === 'mutes') {
    if (rest.length === 0) return { kind: 'mutes' };
    const [alias, ...extra] = rest;
    if (extra.length > 0 || alias!.startsWith('-')) {
      return invalid(`${code(`${commandName} mutes [alias]`)} takes at most one account alias (got ${echo(rest.join(' '))}).`);
    }
    return { kind: 'mutes', alias: alias!.toLowerCase() };
  }

  let alias: string | undefined;
  const wanted = new Set<string>();
  const options: AuditOptions = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.startsWith('-')) {
      const read = readOption(tokens, i, options, cmd);
      if (typeof read === 'object') return read;
      i = read;
      continue;
    }
    if (alias === undefined) {
      alias = token.toLowerCase();
      continue;
    }
    // `iam,s3` is as good as `iam s3`.
    for (const part of token.split(',').filter(Boolean)) {
      const service = part.toLowerCase();
      if (!services.includes(service)) {
        const known = services.map((s) => code(s)).join(', ');
        return invalid(`${echo(part)} is not a service. Services: ${known || '(none)'}; name none to audit them all.`);
      }
      wanted.add(service);
    }
  }
  if (alias === undefined) {
    return invalid(`Name the account to audit: ${code(`${commandName} <alias>`)}. ${code(`${commandName} list`)} shows the accounts you may audit here.`);
  }
  if (options.minSeverity !== undefined && options.compliance !== undefined) {
    return invalid(`${code('--compliance')} judges every finding of a control: leave out ${code('--severity')}.`);
  }
  return { kind: 'audit', alias, services: services.filter((s) => wanted.has(s)), ...options };
}

interface AuditOptions {
  minSeverity?: Severity;
  compliance?: string;
}

const OPTIONS_HELP = () =>
  `The options are ${code('--severity <min>')} (${SEVERITY_CHOICES}) and ${code('--compliance <framework>')} (${FRAMEWORK_IDS.map((id) => code(id)).join(', ')}).`;

/**
 * One option at `tokens[i]` (`--severity high` or `--severity=high`): sets it
 * in `options` and returns the index of its last token, or what was wrong.
 */
function readOption(tokens: readonly string[], i: number, options: AuditOptions, cmd: string): number | ParsedCommand {
  const token = tokens[i]!;
  const eq = token.indexOf('=');
  const name = eq === -1 ? token : token.slice(0, eq);
  const flag = name.toLowerCase();
  if (flag !== '--severity' && flag !== '--compliance') return invalid(`${echo(name)} is not an option of ${cmd}. ${OPTIONS_HELP()}`);
  let value: string | undefined;
  let last = i;
  if (eq !== -1) value = unquote(token.slice(eq + 1));
  else if (i + 1 < tokens.length && !tokens[i + 1]!.startsWith('-')) value = tokens[++last];
  if (flag === '--severity') {
    if (!value) return invalid(`${code('--severity')} needs a value: one of ${SEVERITY_CHOICES}.`);
    const severity = value.toLowerCase();
    if (!isSeverity(severity)) return invalid(`${echo(value)} is not a severity. Use one of ${SEVERITY_CHOICES}.`);
    if (options.minSeverity !== undefined && options.minSeverity !== severity) {
      return invalid(`${code('--severity')} is given twice (${code(options.minSeverity)} and ${code(severity)}); give it once.`);
    }
    options.minSeverity = severity;
    return last;
  }
  const frameworks = FRAMEWORK_IDS.map((id) => code(id)).join(', ');
  if (!value) return invalid(`${code('--compliance')} needs a framework: ${frameworks}.`);
  const framework = value.toLowerCase();
  if (!FRAMEWORK_IDS.includes(framework)) return invalid(`${echo(value)} is not a framework. Use ${frameworks}.`);
  options.compliance = framework;
  return last;
}

/** Usage of the command as mrkdwn, for `/audit help` (and in reply to a bare `/audit`). */
export function helpText(commandName = '/audit', services: readonly string[] = []): string {
  const c = (args: string) => code(args ? `${commandName} ${args}` : commandName);
  const lines = [
    `*${escapeMrkdwn(commandName)}: audit an AWS account for security misconfigurations*`,
    `• ${c('<alias>')}: run every check of the account in every configured region`,
    `• ${c('<alias> iam s3')}: only the checks of these services`,
    `• ${c('<alias> --severity high')}: only findings of this severity or worse (${SEVERITY_CHOICES})`,
    `• ${c('<alias> --compliance cis-5.0')}: the CIS AWS Foundations Benchmark v5.0 view: per section, the controls that pass, fail or could not be checked`,
    `• ${c('list')}: the accounts you may audit here`,
    `• ${c('status')}: audits running now`,
    `• ${c('mutes [alias]')}: findings muted now (of one account, or all), with an Unmute button`,
    `• ${c('digest')}: audit every account and post the digest of what changed now, not at its scheduled time`,
    `• ${c('help')}: this message`,
  ];
  if (services.length > 0) lines.push(`Services: ${services.map((s) => code(s)).join(', ')}.`);
  lines.push(
    'The report is posted in the channel when the account may be audited from it; otherwise only you see it. Options may also be written `--severity=high`. ' +
      'To mute a finding, pick it in the *Mute…* menu next to it in a report or digest: a reason and an end date are required.',
  );
  return lines.join('\n');
}
