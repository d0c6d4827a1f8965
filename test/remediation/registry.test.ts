import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { actionFor, ALL_ACTIONS } from '../../src/remediation/actions/index.js';

describe('fix actions and checks', () => {
  it('agree: every check with a fix names an action that fixes it, and every action fixes only checks that name it', () => {
    for (const check of ALL_CHECKS.filter((c) => c.fix)) expect(actionFor(check.id)?.id, check.id).toBe(check.fix);
    for (const action of ALL_ACTIONS) {
      for (const id of action.appliesTo) expect(ALL_CHECKS.find((c) => c.id === id)?.fix, id).toBe(action.id);
    }
    expect(ALL_ACTIONS.map((a) => a.id).sort()).toEqual([
      'ec2.revoke-open-ingress',
      'iam.deactivate-access-key',
      'rds.make-snapshot-private',
      's3.enable-block-public-access',
    ]);
  });
});
