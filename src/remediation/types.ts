import type { IAMClient } from '@aws-sdk/client-iam';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DetailValue } from '../audit/types.js';
import type { Thresholds } from '../config.js';

/** The ids of the fix actions (a check's `fix`). */
export type RemediationActionId = 'iam.deactivate-access-key' | 'ec2.revoke-open-ingress' | 's3.enable-block-public-access' | 'rds.make-snapshot-private';

/**
 * What the server knows of the finding to fix: from the history, never from
 * a Slack payload. `details` are the check's details as the audit recorded them.
 */
export interface RemediationTarget {
  checkId: string;
  accountId: string;
  /** `global` for IAM; the resource's region otherwise. */
  region: string;
  resourceId: string;
  details: Readonly<Record<string, DetailValue>>;
  /**
   * When the history first saw this finding (or saw it again after it was
   * resolved): an action that acts on "every" resource of a kind (every
   * active key of a quarantined user) leaves out the ones made after it.
   */
  foundAt: string;
}

/** SDK clients signed with the account's remediation role (never the audit role). */
export interface RemediationClients {
  iam(): Pick<IAMClient, 'send'>;
  ec2(region: string): Pick<EC2Client, 'send'>;
  s3(region: string): Pick<S3Client, 'send'>;
  rds(region: string): Pick<RDSClient, 'send'>;
}

export interface PrecheckContext {
  now: Date;
  thresholds: Thresholds;
}

/**
 * What a precheck found, read live from AWS right before acting. `ok` means
 * the problem is still there exactly as found: `change` says in one sentence
 * what applying will change (mrkdwn-free plain text, key ids masked), and
 * `state` is everything apply and undo need (JSON-serialisable: it is kept
 * in the action log so that undo restores exactly what was there).
 */
export type Precheck = { ok: true; change: string; state: Record<string, unknown> } | { ok: false; reason: string };

export interface RemediationAction {
  id: RemediationActionId;
  /** Button label and the log's verb: `Deactivate`, `Revoke`, `Block public access`. */
  verb: string;
  /** For "Deactivated by @ana at 10:42". */
  done: string;
  /** The checks whose findings this action fixes. */
  appliesTo: readonly string[];
  /** IAM actions the remediation role needs for precheck, apply and undo (listed in the README). */
  permissions: readonly string[];
  /** What would change, from the recorded finding alone (no AWS call): shown before the precheck runs. */
  describe(target: RemediationTarget): string;
  /** Reads AWS now: is the problem still there, exactly as found? Never changes anything. */
  precheck(target: RemediationTarget, clients: RemediationClients, context: PrecheckContext): Promise<Precheck>;
  /**
   * Makes the change the precheck described; nothing else. When it fails
   * part-way it throws an error carrying `partialState`: what it did change
   * (in the state's shape), so that undo can restore that much.
   */
  apply(state: Record<string, unknown>, clients: RemediationClients): Promise<void>;
  /** Before undoing: is what apply did still in place (and nothing else changed it)? */
  precheckUndo(state: Record<string, unknown>, clients: RemediationClients): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Restores exactly what apply changed. */
  undo(state: Record<string, unknown>, clients: RemediationClients): Promise<void>;
}
