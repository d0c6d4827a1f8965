import { GetAccountPasswordPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import passwordPolicy from '../../../checks/iam/password-policy.js';
import { audit, awsError } from '../../helpers/aws.js';
import { strongPasswordPolicy } from '../../helpers/iam-fixtures.js';

const iam = mockClient(IAMClient);
const RESOURCE = { type: 'AWS::IAM::AccountPasswordPolicy', id: 'password-policy' };

describe('iam.password-policy', () => {
  beforeEach(() => iam.reset());

  it('passes a policy that meets every requirement', async () => {
    iam.on(GetAccountPasswordPolicyCommand).resolves({ PasswordPolicy: strongPasswordPolicy({ MinimumPasswordLength: 20 }) });
    const result = await audit([passwordPolicy]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['iam.password-policy']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('fails, medium, with one finding that lists every weakness with its figures', async () => {
    iam.on(GetAccountPasswordPolicyCommand).resolves({
      PasswordPolicy: strongPasswordPolicy({ MinimumPasswordLength: 8, PasswordReusePrevention: 5, RequireSymbols: false }),
    });
    const result = await audit([passwordPolicy]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ checkId: 'iam.password-policy', severity: 'medium', region: 'global', resource: RESOURCE });
    expect(result.findings[0]!.message).toBe(
      'The account password policy has 3 weaknesses: minimum length 8 (want 14+); remembers 5 passwords (want 24); symbols not required.',
    );
    expect(result.findings[0]!.details).toMatchObject({
      minimumPasswordLength: 8,
      passwordReusePrevention: 5,
      requireSymbols: false,
      requireUppercase: true,
      cis: '1.7, 1.8',
    });
    expect(result.stats.byCheck['iam.password-policy']).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('treats a missing PasswordReusePrevention as no reuse prevention, and names every missing character class', async () => {
    iam.on(GetAccountPasswordPolicyCommand).resolves({
      PasswordPolicy: {
        MinimumPasswordLength: 14,
        RequireSymbols: false,
        RequireNumbers: false,
        RequireUppercaseCharacters: false,
        RequireLowercaseCharacters: false,
        AllowUsersToChangePassword: true,
      },
    });
    const result = await audit([passwordPolicy]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.message).toBe(
      'The account password policy has 5 weaknesses: no password reuse prevention (want 24); uppercase not required; lowercase not required; numbers not required; symbols not required.',
    );
    // Only the reuse breaks a CIS control (1.8): character classes are none.
    expect(result.findings[0]!.details).toMatchObject({ passwordReusePrevention: null, cis: '1.8' });
  });

  it('fails when the account has no password policy (NoSuchEntity is a fact, not an error)', async () => {
    iam.on(GetAccountPasswordPolicyCommand).rejects(awsError('NoSuchEntityException', 'The Password Policy with domain name 123456789012 cannot be found.'));
    const result = await audit([passwordPolicy]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ severity: 'medium', resource: RESOURCE, details: { policyExists: false, cis: '1.7, 1.8' } });
    expect(result.findings[0]!.message).toBe(
      'The account has no IAM password policy: nothing requires 14+ characters, character classes or remembering 24 passwords.',
    );
  });

  it('reads its thresholds from the config', async () => {
    iam.on(GetAccountPasswordPolicyCommand).resolves({ PasswordPolicy: strongPasswordPolicy({ PasswordReusePrevention: 12 }) });
    const lenient = await audit([passwordPolicy], { thresholds: { passwordReusePrevention: 12 } });
    expect(lenient.findings).toEqual([]);
    const strict = await audit([passwordPolicy], { thresholds: { passwordReusePrevention: 12, passwordMinLength: 16 } });
    expect(strict.findings.map((f) => f.message)).toEqual(['The account password policy has 1 weakness: minimum length 14 (want 16+).']);
    // CIS's figures, not the config's: a length of 14 meets 1.7, remembering 12 passwords breaks 1.8.
    expect(strict.findings[0]!.details?.cis).toBe('1.8');
  });

  it('keeps the same fingerprint whatever the weaknesses, so a changed policy is not a "new" finding', async () => {
    iam.on(GetAccountPasswordPolicyCommand).resolves({ PasswordPolicy: strongPasswordPolicy({ MinimumPasswordLength: 8 }) });
    const first = await audit([passwordPolicy]);
    iam.on(GetAccountPasswordPolicyCommand).rejects(awsError('NoSuchEntityException'));
    const second = await audit([passwordPolicy]);
    expect(second.findings[0]!.fingerprint).toBe(first.findings[0]!.fingerprint);
  });

  it('reports an error, not a pass or a finding, when the policy cannot be read', async () => {
    iam.on(GetAccountPasswordPolicyCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GetAccountPasswordPolicy'));
    const result = await audit([passwordPolicy]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.password-policy', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GetAccountPasswordPolicy' },
    ]);
    expect(result.stats.byCheck['iam.password-policy']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
