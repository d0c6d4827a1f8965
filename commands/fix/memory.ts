import type { KnownBlock } from '@slack/types';
import { CONFIRMATION_TTL_MS, type MessageRef } from '../../src/remediation/service.js';

/** Messages fixes were chosen in, as the bot last wrote them (the outcome lines are added to the newest version). */
const MESSAGES_KEPT = 200;

/** Where a confirmation was asked from. */
export interface Origin {
  thread?: MessageRef;
  /** The report or digest message the fix was chosen in. */
  message?: MessageRef;
  at: number;
}

/**
 * What the fix flow remembers between one click and the next, in memory:
 * where each confirmation was asked from (as long as a confirmation lasts),
 * and the text and blocks of the messages fixes were chosen in (to add the
 * outcome's line to them).
 */
export class FixMemory {
  private readonly origins = new Map<string, Origin>();
  private readonly messages = new Map<string, { text: string; blocks: KnownBlock[] }>();

  rememberOrigin(requestId: string, origin: Origin): void {
    const now = Date.now();
    for (const [id, o] of this.origins) if (now - o.at > CONFIRMATION_TTL_MS) this.origins.delete(id);
    this.origins.set(requestId, origin);
  }

  originOf(requestId: string): Origin | undefined {
    return this.origins.get(requestId);
  }

  message(ref: MessageRef): { text: string; blocks: KnownBlock[] } | undefined {
    return this.messages.get(`${ref.channel}:${ref.ts}`);
  }

  /** Keeps a message as last written (the newest kept last; the oldest forgotten beyond {@link MESSAGES_KEPT}). */
  keepMessage(ref: MessageRef, content: { text: string; blocks: KnownBlock[] }): void {
    const key = `${ref.channel}:${ref.ts}`;
    this.messages.delete(key);
    this.messages.set(key, content);
    while (this.messages.size > MESSAGES_KEPT) this.messages.delete(this.messages.keys().next().value as string);
  }
}
