import type { AccountRef, Check, CheckContext, Evaluation, FailInput, ScopedInventory } from './types.js';
import type { Thresholds } from '../config.js';
import { findingFingerprint } from './fingerprint.js';
import { awsErrorCode, errorMessage, type OwnErrorCode } from '../errors.js';

/** Identity function that gives a check literal its type. */
export function defineCheck(check: Check): Check {
  return check;
}

export function createCheckContext(input: {
  check: Check;
  account: AccountRef;
  region: string;
  regions?: readonly string[];
  now: Date;
  thresholds: Thresholds;
  inventory: ScopedInventory;
}): CheckContext {
  const { check, account, region } = input;
  return {
    account,
    region,
    regions: input.regions ?? [],
    now: input.now,
    thresholds: input.thresholds,
    inventory: input.inventory,
    pass: (resourceId: string): Evaluation => ({ status: 'pass', resourceId }),
    error: (resourceId: string, error: unknown): Evaluation => ({
      status: 'error',
      resourceId,
      code: awsErrorCode(error) ?? ('CheckFailed' satisfies OwnErrorCode),
      message: errorMessage(error).split('\n')[0]!.slice(0, 500),
    }),
    fail: (f: FailInput): Evaluation => {
      const fix = f.fix === undefined ? check.fix : (f.fix ?? undefined);
      const where = f.region ?? region;
      return {
        status: 'fail',
        finding: {
          checkId: check.id,
          severity: f.severity ?? check.severity,
          accountId: account.accountId,
          region: where,
          resource: f.resource,
          message: f.message,
          fingerprint: findingFingerprint({
            checkId: check.id,
            accountId: account.accountId,
            region: where,
            resourceId: f.resource.id,
            subKey: f.subKey,
          }),
          ...(f.details ? { details: f.details } : {}),
          ...(fix ? { fix } : {}),
        },
      };
    },
  };
}

const DAY_MS = 86_400_000;

/** Whole days from `then` to `now` (0 for the future). */
export function daysBetween(then: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - then.getTime()) / DAY_MS));
}

/** `AKIA…WXYZ`: enough to recognise a key, too little to use or search for it. */
export function maskAccessKeyId(keyId: string): string {
  if (keyId.length <= 8) return '…';
  return `${keyId.slice(0, 4)}…${keyId.slice(-4)}`;
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
