import type { RemediationAction } from '../types.js';
import deactivateAccessKey from './deactivate-access-key.js';
import enableBlockPublicAccess from './enable-block-public-access.js';
import revokeOpenIngress from './revoke-open-ingress.js';

export { deactivateAccessKey, enableBlockPublicAccess, revokeOpenIngress };

export const ALL_ACTIONS: readonly RemediationAction[] = [deactivateAccessKey, revokeOpenIngress, enableBlockPublicAccess];

/** The action that fixes findings of this check, if any. */
export function actionFor(checkId: string): RemediationAction | undefined {
  return ALL_ACTIONS.find((action) => action.appliesTo.includes(checkId));
}
