import type { ContextBlock, DividerBlock, HeaderBlock, KnownBlock, PlainTextOption, SectionBlock, StaticSelect } from '@slack/types';
import { plainText } from './mrkdwn.js';

/** What `chat.postMessage` needs besides the channel: blocks, and `text` for notifications and screen readers. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Slack Block Kit limits, with margins where Slack's own are fuzzy. */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  headerText: 150,
  contextText: 2000,
  /** Text of a confirmation dialog (a button's `confirm`). */
  confirmText: 300,
  blockId: 255,
  /** Our own: a check's title inside a line (a section's bold lead, a note). */
  titleText: 150,
  /** Our own: one line of the digest's plain-text form (the terminal, the CSV's summary). */
  plainLine: 3000,
  /** Options of one select menu. */
  selectOptions: 100,
  /** Text of a select option (plain text). */
  optionText: 75,
  /** Value of a select option. */
  optionValue: 150,
  /** Our budget for `JSON.stringify({ text, blocks })` (Slack refuses somewhat above 40,000). */
  messageJson: 30_000,
} as const;

/** A timestamp for file names, `20261123-0900` in UTC (`unknown-time` when the date cannot be read). */
export function fileStamp(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return 'unknown-time';
  const s = at.toISOString();
  return `${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 10)}-${s.slice(11, 13)}${s.slice(14, 16)}`;
}

/**
 * The action id of the "Mute…" menu on finding sections. An option's value is
 * a finding reference (see store/mutes.ts), or `fix:` and one for the fix
 * entries the menu also lists when fixes are offered ("Mute or fix…").
 */
export const MUTE_ACTION = 'mute_finding';
export const FIX_PREFIX = 'fix:';
/** "Details" entries: the finding reference behind `details:`. */
export const DETAILS_PREFIX = 'details:';

/** One entry of a "Mute…" menu: the finding reference and a short label. */
export interface MuteOption {
  value: string;
  label: string;
}

/**
 * One line of a packed section. `header` opens a group (check title + why, a
 * "Could not check" title, ...); a section that starts inside a group opens
 * with `continued` instead, so every section reads on its own. A line with a
 * `mute` entry is listed in the section's "Mute…" menu.
 */
export interface Unit {
  header: string;
  continued: string;
  first: boolean;
  line: string;
  mute?: MuteOption;
  /** The finding's fix entry (value `fix:<ref>`), when a fix is offered for it. */
  fix?: MuteOption;
  /** The finding's "Details" entry (value `details:<ref>`). */
  details?: MuteOption;
  /** A group that must not share a section with the previous one (e.g. another account's findings, so one menu never mixes accounts). */
  sectionBreak?: boolean;
}

export interface Room {
  blocks: number;
  chars: number;
}

export const UNLIMITED: Room = { blocks: Number.POSITIVE_INFINITY, chars: Number.POSITIVE_INFINITY };

export const DIVIDER: DividerBlock = { type: 'divider' };

export function header(text: string, blockId = 'header'): HeaderBlock {
  return { type: 'header', block_id: blockId, text: { type: 'plain_text', text: plainText(text, SLACK_LIMITS.headerText) } };
}

/** `verbatim`: Slack must not turn bare URLs, #channel names or @mentions in AWS text into links or pings. */
export function section(blockId: string, text: string): SectionBlock {
  return { type: 'section', block_id: blockId, text: { type: 'mrkdwn', text, verbatim: true } };
}

export function context(blockId: string, text: string): ContextBlock {
  return { type: 'context', block_id: blockId, elements: [{ type: 'mrkdwn', text, verbatim: true }] };
}

const option = (o: MuteOption): PlainTextOption => ({ text: { type: 'plain_text', text: plainText(o.label, SLACK_LIMITS.optionText) }, value: o.value });

/** The entries of one finding menu, by group. */
export interface MenuEntries {
  details: readonly MuteOption[];
  mutes: readonly MuteOption[];
  fixes: readonly MuteOption[];
}

/**
 * A finding menu: "Mute…" when it only mutes; with details or fix entries,
 * one group each ("Details", "Mute", "Fix"), at most 100 entries in all,
 * values unique.
 */
export function muteMenu(options: readonly MuteOption[], fixes: readonly MuteOption[] = [], details: readonly MuteOption[] = []): StaticSelect {
  if (fixes.length === 0 && details.length === 0) {
    return { type: 'static_select', action_id: MUTE_ACTION, placeholder: { type: 'plain_text', text: 'Mute…' }, options: options.map(option) };
  }
  const words = [details.length && 'Details', options.length && 'mute', fixes.length && 'fix'].filter((w): w is string => Boolean(w));
  const placeholder = `${words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : words[0]!}…`;
  const group = (label: string, entries: readonly MuteOption[]) =>
    entries.length ? [{ label: { type: 'plain_text' as const, text: label }, options: entries.map(option) }] : [];
  return {
    type: 'static_select',
    action_id: MUTE_ACTION,
    placeholder: { type: 'plain_text', text: placeholder.charAt(0).toUpperCase() + placeholder.slice(1) },
    option_groups: [...group('Details', details), ...group('Mute', options), ...group('Fix', fixes)],
  };
}

function sectionWith(blockId: string, text: string, entries: MenuEntries): SectionBlock {
  const block = section(blockId, text);
  return entries.mutes.length + entries.fixes.length + entries.details.length > 0
    ? { ...block, accessory: muteMenu(entries.mutes, entries.fixes, entries.details) }
    : block;
}

export function blockSize(block: KnownBlock): number {
  return JSON.stringify(block).length;
}

export function jsonSize(message: SlackMessage): number {
  return JSON.stringify(message).length;
}

/**
 * Packs units into sections of at most 3,000 characters (and, when units
 * carry mute entries, at most 100 of them per section's menu), starting at
 * `from`, while the sections fit `room` (blocks, and JSON characters counting
 * the comma each block adds to the array). Returns the index of the first
 * unit left out.
 */
export function packSections(units: readonly Unit[], from: number, room: Room, idPrefix: string): { blocks: SectionBlock[]; next: number; chars: number } {
  const blocks: SectionBlock[] = [];
  let chars = 0;
  let text = '';
  let entries: MenuEntries = { details: [], mutes: [], fixes: [] };
  let values = new Set<string>();
  const id = () => `${idPrefix}-${blocks.length + 1}`;
  const close = () => {
    const block = sectionWith(id(), text, entries);
    blocks.push(block);
    chars += blockSize(block) + 1;
    text = '';
    entries = { details: [], mutes: [], fixes: [] };
    values = new Set();
  };
  /** The unit's entries this section's menu does not list yet. */
  const adds = (unit: Unit) => ({
    details: unit.details && !values.has(unit.details.value) ? [unit.details] : [],
    mutes: unit.mute && !values.has(unit.mute.value) ? [unit.mute] : [],
    fixes: unit.fix && !values.has(unit.fix.value) ? [unit.fix] : [],
  });
  const count = (e: MenuEntries) => e.details.length + e.mutes.length + e.fixes.length;
  let i = from;
  while (i < units.length) {
    const unit = units[i]!;
    const candidate =
      text === '' ? `${unit.first ? unit.header : unit.continued}\n${unit.line}` : `${text}${unit.first ? `\n\n${unit.header}` : ''}\n${unit.line}`;
    const added = adds(unit);
    const mustBreak = unit.first && unit.sectionBreak === true;
    if (text !== '' && (mustBreak || candidate.length > SLACK_LIMITS.sectionText || count(entries) + count(added) > SLACK_LIMITS.selectOptions)) {
      close();
      continue;
    }
    const candidateEntries: MenuEntries = {
      details: [...entries.details, ...added.details],
      mutes: [...entries.mutes, ...added.mutes],
      fixes: [...entries.fixes, ...added.fixes],
    };
    if (blocks.length + 1 > room.blocks || chars + blockSize(sectionWith(id(), candidate, candidateEntries)) + 1 > room.chars) break;
    text = candidate;
    entries = candidateEntries;
    for (const entry of [...added.details, ...added.mutes, ...added.fixes]) values.add(entry.value);
    i++;
  }
  if (text !== '') close();
  return { blocks, next: i, chars };
}
