import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { AuditService } from '../src/audit/service.js';
import type { Check } from '../src/audit/types.js';
import type { Config } from '../src/config.js';
import type { Logger } from '../src/log.js';
import type { RemediationService } from '../src/remediation/service.js';
import type { History } from '../src/store/history.js';
import type { Mutes } from '../src/store/mutes.js';
import type { Store } from '../src/store/store.js';
import type { AccessControl } from './access.js';
import type { FixMemory } from './fix/memory.js';

/** What `/audit digest` needs of the digest: run it now (or join the run under way) and say how it went. */
export interface DigestTrigger {
  channel: string;
  accounts: number;
  run(requester: string): Promise<{ posted: boolean; joined: boolean; quiet: boolean; error?: string }>;
}

/** What the composition root gives the commands. */
export interface CommandOptions {
  config: Config;
  checks: readonly Check[];
  audits: AuditService;
  /** The bot's database: finding history, mutes, the action log. */
  store: Store;
  /** Posts the digest now (`/audit digest`); absent when no digest is configured. */
  digest?: DigestTrigger | undefined;
  /** One-click fixes; absent = none offered. */
  remediation?: RemediationService | undefined;
  /** With organization discovery: brings `config.accounts` up to date (at most every refreshMinutes unless forced). */
  accounts?: { refresh(options?: { force?: boolean }): Promise<unknown> } | undefined;
  logger: Logger;
  /** Keeps work under way (a report being posted) until it ends, so that the bot's stop waits for it. */
  track: <T>(work: Promise<T>) => Promise<T>;
  /** Least time between two progress updates of one audit. */
  progressIntervalMs?: number | undefined;
  /** The time (tests move it). */
  now?: (() => Date) | undefined;
}

/** What every handler receives: the options, and what is built once from them. */
export interface Deps extends Omit<CommandOptions, 'now' | 'progressIntervalMs'> {
  now: () => Date;
  progressIntervalMs: number;
  history: History;
  mutes: Mutes;
  access: AccessControl;
  /** Mute end days are days in the digest's time zone (the team's), else UTC. */
  muteTimeZone: string;
  /** One-click fixes, when offered: the service and what the fix flow remembers between clicks. */
  fix?: FixDeps | undefined;
}

export interface FixDeps {
  remediation: RemediationService;
  memory: FixMemory;
}

export type BoltApp = InstanceType<typeof App>;

/** What Bolt hands a button's or menu's listener, once it has acknowledged. */
export type ActionArgs = Omit<SlackActionMiddlewareArgs<BlockAction>, 'ack'> & AllMiddlewareArgs;

/** What Bolt hands a slash command's listener. */
export type SlashCommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
