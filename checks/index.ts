import type { Check } from '../src/audit/types.js';
import accessKeyRotation from './iam/access-key-rotation.js';
import credentialsUnused from './iam/credentials-unused.js';
import multipleActiveKeys from './iam/multiple-active-keys.js';
import rootAccessKeys from './iam/root-access-keys.js';
import rootMfa from './iam/root-mfa.js';
import rootRecentUse from './iam/root-recent-use.js';
import userConsoleMfa from './iam/user-console-mfa.js';

/** Every check, in report order within a severity. Ids are part of the contract. */
export const ALL_CHECKS: readonly Check[] = [
  rootMfa,
  rootAccessKeys,
  rootRecentUse,
  userConsoleMfa,
  accessKeyRotation,
  credentialsUnused,
  multipleActiveKeys,
];
