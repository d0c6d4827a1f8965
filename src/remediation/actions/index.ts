import type { RemediationAction } from '../types.js';
import deactivateAccessKey from './deactivate-access-key.js';
import enableBlockPublicAccess from './enable-block-public-access.js';
import makeSnapshotPrivate from './make-snapshot-private.js';
import revokeOpenIngress from './revoke-open-ingress.js';

export { deactivateAccessKey, enableBlockPublicAccess, makeSnapshotPrivate, revokeOpenIngress };

export const ALL_ACTIONS: readonly RemediationAction[] = [deactivateAccessKey, revokeOpenIngress, enableBlockPublicAccess, makeSnapshotPrivate];

/**
 * The action the audit offered for a recorded finding: its own `fix` (null:
 * none applies to this one, like a key slot that is not a key); a state
 * recorded before findings carried it falls back to its check's action.
 */
export function fixOf(state: { checkId: string; fix?: string | null }): RemediationAction | undefined {
  if (state.fix === null) return undefined;
  if (typeof state.fix === 'string') return ALL_ACTIONS.find((action) => action.id === state.fix && action.appliesTo.includes(state.checkId));
  return actionFor(state.checkId);
}

/** The action that fixes findings of this check, if any. */
export function actionFor(checkId: string): RemediationAction | undefined {
  return ALL_ACTIONS.find((action) => action.appliesTo.includes(checkId));
}
