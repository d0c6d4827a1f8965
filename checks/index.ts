import type { Check } from '../src/audit/types.js';
import rootMfa from './iam/root-mfa.js';

/** Every check, in report order within a severity. Ids are part of the contract. */
export const ALL_CHECKS: readonly Check[] = [rootMfa];
