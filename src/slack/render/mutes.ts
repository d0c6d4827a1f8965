import type { KnownBlock, ModalView, SectionBlock } from '@slack/types';
import type { Check } from '../../audit/types.js';
import { GLOBAL_REGION } from '../../audit/types.js';
import type { FindingState } from '../../store/diff.js';
import { CONFIG_MUTER, isConfigMute, MUTE_MAX_DAYS, MUTE_REASON_MAX } from '../../store/mutes.js';
import type { MuteRecord } from '../../store/store.js';
import { context, SLACK_LIMITS, type SlackMessage } from './blocks.js';
import { escapeMrkdwn, inlineMrkdwn, mention, plural, slackDate, truncateMrkdwn } from './mrkdwn.js';
import { SEVERITY_EMOJI } from './report.js';

/** The mute modal's callback id and its inputs. */
export const MUTE_VIEW = 'mute_finding_modal';
export const MUTE_REASON = { block: 'reason', action: 'reason' } as const;
export const MUTE_EXPIRY = { block: 'expiry', action: 'expiry' } as const;
/** The "Unmute" buttons of `/audit mutes`; the value is `<mute id> <alias filter>`. */
export const UNMUTE_ACTION = 'unmute_finding';

/** What the modal carries from the click to the submission (Slack returns it as it was). */
export interface MuteModalMetadata {
  /** The finding reference the menu carried. */
  ref: string;
  /** Where the click came from: a message in a channel (the note goes in its thread) ... */
  channel?: string;
  threadTs?: string;
  /** ... or a message only the user sees (the note goes to its response_url). */
  responseUrl?: string;
}

export function parseMuteMetadata(text: unknown): MuteModalMetadata | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const data = JSON.parse(text) as Record<string, unknown>;
    if (typeof data.ref !== 'string') return undefined;
    const meta: MuteModalMetadata = { ref: data.ref };
    if (typeof data.channel === 'string') meta.channel = data.channel;
    if (typeof data.threadTs === 'string') meta.threadTs = data.threadTs;
    if (typeof data.responseUrl === 'string') meta.responseUrl = data.responseUrl;
    return meta;
  } catch {
    return undefined;
  }
}

/** "`check.id` resource · region in alias (id)" for one finding. */
export function findingTitle(state: FindingState, alias: string | undefined, check: Check | undefined): string {
  const where = state.region === GLOBAL_REGION ? '' : ` · ${inlineMrkdwn(state.region, 40)}`;
  const account = alias ? `${inlineMrkdwn(alias, 80)} (${state.accountId})` : state.accountId;
  const title = check ? `*${inlineMrkdwn(check.title, SLACK_LIMITS.titleText)}* ` : '';
  return `${SEVERITY_EMOJI[state.severity]} ${title}\`${inlineMrkdwn(state.checkId, 100)}\`\n${inlineMrkdwn(state.resourceId, 200)}${where} in ${account}`;
}

/** The modal a "Mute…" choice opens: the finding, a reason (required) and the day the mute ends. */
export function renderMuteModal(input: {
  state: FindingState;
  alias: string | undefined;
  check: Check | undefined;
  /** The mute in force on it, if any (muting again replaces it). */
  mute: MuteRecord | undefined;
  initialDay: string;
  /** The time zone mute days are in. */
  timeZone: string;
  metadata: MuteModalMetadata;
}): ModalView {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: 'finding',
      text: {
        type: 'mrkdwn',
        verbatim: true,
        text: truncateMrkdwn(`${findingTitle(input.state, input.alias, input.check)}\n_${inlineMrkdwn(input.state.message, 600)}_`, SLACK_LIMITS.sectionText),
      },
    },
  ];
  if (input.mute) {
    const c = input.mute;
    blocks.push(
      context(
        'current',
        `Already muted by ${byWhom(c.mutedBy, c)} until ${slackDate(new Date(c.expiresAt), '{date_short_pretty}')}: ${inlineMrkdwn(c.reason, 600)}. Muting it again replaces that mute.`,
      ),
    );
  }
  blocks.push(
    {
      type: 'input',
      block_id: MUTE_REASON.block,
      label: { type: 'plain_text', text: 'Why is this acceptable?' },
      hint: { type: 'plain_text', text: 'Everyone who sees the mute reads this: an accepted risk, a ticket, who owns the fix.' },
      element: {
        type: 'plain_text_input',
        action_id: MUTE_REASON.action,
        multiline: true,
        max_length: MUTE_REASON_MAX,
        placeholder: { type: 'plain_text', text: 'e.g. Legacy bastion, replaced by SSM in ticket SEC-123' },
      },
    },
    {
      type: 'input',
      block_id: MUTE_EXPIRY.block,
      label: { type: 'plain_text', text: `Mute until (at most ${MUTE_MAX_DAYS} days)` },
      hint: {
        type: 'plain_text',
        text: `Through the end of that day (${input.timeZone} time). Then the finding is back in reports, and in the next digest under "mute expired".`,
      },
      element: { type: 'datepicker', action_id: MUTE_EXPIRY.action, initial_date: input.initialDay },
    },
  );
  return {
    type: 'modal',
    callback_id: MUTE_VIEW,
    title: { type: 'plain_text', text: 'Mute finding' },
    submit: { type: 'plain_text', text: 'Mute' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify(input.metadata),
    blocks,
  };
}

/** Who muted or unmuted: a Slack user, or the config file (naming the entry, `mutes[2]`, when known). */
export function byWhom(id: string | null | undefined, mute?: Pick<MuteRecord, 'label'>): string {
  if (id === CONFIG_MUTER) return mute?.label ? `the config (\`${escapeMrkdwn(mute.label)}\`)` : 'the config';
  if (id === null || id === undefined || id === '') return 'someone';
  return mention(id);
}

/** The note left where the mute was chosen: who, what, until when, why. */
export function muteNote(mute: MuteRecord, state: FindingState, alias: string | undefined, check: Check | undefined): string {
  return (
    `:no_bell: ${mention(mute.mutedBy)} muted ${findingTitle(state, alias, check)}\n` +
    `until ${slackDate(new Date(mute.expiresAt), '{date_short_pretty}')}: _${inlineMrkdwn(mute.reason, 600)}_`
  );
}

/** What `/audit mutes` shows of one mute. */
export interface ListedMute {
  mute: MuteRecord;
  state: FindingState | undefined;
  alias: string | undefined;
  check: Check | undefined;
}

/** Mutes per message: a section each, with room for the title and the note. */
const MUTES_PER_MESSAGE = 45;
/** A response_url answers 5 times: the list takes at most 4, one is left for an unmute's answer. */
const MAX_LIST_MESSAGES = 4;

function muteSection(item: ListedMute, filter: string): SectionBlock {
  const { mute, state } = item;
  const what = state
    ? findingTitle(state, item.alias, item.check)
    : `\`${inlineMrkdwn(mute.fingerprint, 64)}\` in ${mute.accountId} (no longer in the history)`;
  const text = truncateMrkdwn(
    `${what}\nMuted by ${byWhom(mute.mutedBy, mute)} ${slackDate(new Date(mute.mutedAt), '{date_short_pretty}')}, until ${slackDate(new Date(mute.expiresAt), '{date_short_pretty}')}: _${inlineMrkdwn(mute.reason, 600)}_${
      isConfigMute(mute) ? '\nFrom the config file: change or remove the entry there to end it.' : ''
    }`,
    SLACK_LIMITS.sectionText,
  );
  // Only the config ends a mute written in it: no Unmute button.
  if (isConfigMute(mute)) return { type: 'section', block_id: `mute-${mute.id}`, text: { type: 'mrkdwn', text, verbatim: true } };
  return {
    type: 'section',
    block_id: `mute-${mute.id}`,
    text: { type: 'mrkdwn', text, verbatim: true },
    accessory: {
      type: 'button',
      action_id: UNMUTE_ACTION,
      text: { type: 'plain_text', text: 'Unmute' },
      value: `${mute.id} ${filter}`.trim(),
      confirm: {
        title: { type: 'plain_text', text: 'Unmute this finding?' },
        text: { type: 'mrkdwn', text: 'It shows in reports again, and in the next digest under "resurfaced".' },
        confirm: { type: 'plain_text', text: 'Unmute' },
        deny: { type: 'plain_text', text: 'Keep muted' },
      },
    },
  };
}

/**
 * `/audit mutes [alias]`: the mutes in force, soonest to end first, a section
 * each with an Unmute button, in at most four ephemeral messages.
 */
export function renderMuteList(items: readonly ListedMute[], filter: string | undefined, note?: string): SlackMessage[] {
  const scope = filter ? ` in ${inlineMrkdwn(filter, 80)}` : '';
  const sorted = [...items].sort((a, b) => a.mute.expiresAt.localeCompare(b.mute.expiresAt) || a.mute.id.localeCompare(b.mute.id));
  const head: KnownBlock[] = note ? [context('note', note)] : [];
  if (sorted.length === 0) {
    const text = `No finding is muted${scope}.`;
    return [{ text, blocks: [...head, { type: 'section', block_id: 'none', text: { type: 'mrkdwn', text, verbatim: true } }] }];
  }
  const title = `${plural(sorted.length, 'muted finding')}${scope}`;
  const messages: SlackMessage[] = [];
  const shown = sorted.slice(0, MUTES_PER_MESSAGE * MAX_LIST_MESSAGES);
  for (let i = 0; i < shown.length; i += MUTES_PER_MESSAGE) {
    const page = shown.slice(i, i + MUTES_PER_MESSAGE);
    const blocks: KnownBlock[] = i === 0 ? [...head, context('title', `*${title}*, soonest to end first`)] : [context('title', `*${title}*, continued`)];
    blocks.push(...page.map((item) => muteSection(item, filter ?? '')));
    messages.push({ text: i === 0 ? title : `${title}, continued`, blocks });
  }
  if (sorted.length > shown.length) {
    const last = messages.at(-1)!;
    last.blocks.push(context('more', `…and ${plural(sorted.length - shown.length, 'more mute')}: \`/audit mutes <alias>\` lists one account's.`));
  }
  return messages;
}

/** What the mute flow tells the clicker besides the mute note and the list. */
export const MUTE_TEXT = {
  unmuted: `:bell: Unmuted: it shows in reports again, and in the next digest under "resurfaced".`,
  alreadyEnded: 'That mute had already ended (expired, or someone unmuted it).',
  fromConfig: 'That mute is written in the config file (`mutes:`): change or remove the entry there, and it ends at the next start.',
  unknownAccount: (alias: string, commandName: string) =>
    `There is no account \`${escapeMrkdwn(alias)}\`. \`${escapeMrkdwn(commandName)} list\` shows the accounts.`,
  notSaved: (error: string) => `:x: The mute could not be saved (${escapeMrkdwn(error)}); the finding is not muted.`,
  resolved: (at: string) => `That finding is resolved (${slackDate(new Date(at), '{date_short_pretty}', at)}): there is nothing to mute.`,
  dialogFailed: (error: string) => `:x: The mute dialog could not be opened (${escapeMrkdwn(error)}). Pick the finding again.`,
  lookupFailed: (reason: string) => `:x: ${reason}`,
} as const;
