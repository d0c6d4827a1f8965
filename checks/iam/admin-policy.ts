import type { PolicyDetail } from '@aws-sdk/client-iam';
import { defineCheck } from '../../src/audit/check.js';
import type { CheckContext, Evaluation } from '../../src/audit/types.js';
import { defaultVersionDocument, fullAdminStatements, parsePolicyDocument, type PolicyStatement } from '../../src/aws/iam-policy.js';

const INLINE_TYPES = {
  user: 'AWS::IAM::UserPolicy',
  group: 'AWS::IAM::GroupPolicy',
  role: 'AWS::IAM::RolePolicy',
} as const;

type EntityKind = keyof typeof INLINE_TYPES;

/** `statement 2 (Sid AllowAll)`: which statement to delete or narrow. */
function describeStatements(document: { Statement: PolicyStatement[] }, offending: PolicyStatement[]): string {
  return offending
    .map((s) => `statement ${document.Statement.indexOf(s) + 1}${s.Sid ? ` (Sid ${s.Sid})` : ''}`)
    .join(', ');
}

function evaluateInline(ctx: CheckContext, kind: EntityKind, entityName: string, policy: PolicyDetail): Evaluation {
  const policyName = policy.PolicyName ?? '(unnamed)';
  const id = `${entityName}/${policyName}`;
  const document = parsePolicyDocument(policy.PolicyDocument, `inline policy ${policyName} of ${kind} ${entityName}`);
  const offending = fullAdminStatements(document);
  if (offending.length === 0) return ctx.pass(id);
  return ctx.fail({
    resource: { type: INLINE_TYPES[kind], id },
    // The fingerprint ignores the resource type: user alice's and role alice's policy "admin" share an id.
    subKey: kind,
    message: `Inline policy ${policyName} of ${kind} ${entityName} allows every action on every resource in ${offending.length} of ${document.Statement.length} statements: ${describeStatements(document, offending)}.`,
    details: { policyKind: 'inline', entityType: kind, entityName, policyName, statements: describeStatements(document, offending) },
  });
}

export default defineCheck({
  id: 'iam.admin-policy',
  title: "No customer or inline policy grants full '*:*' administrator access",
  service: 'iam',
  scope: 'global',
  severity: 'high',
  description:
    'A policy that allows every action on every resource turns whoever holds it into an administrator: one leaked key or compromised workload then controls the whole account.',
  references: { cis: '1.15', securityHub: 'IAM.1' },
  remediation:
    'Replace the "Action": "*", "Resource": "*" statement with the actions and resources the holders need (IAM Access Analyzer can generate a policy from CloudTrail activity), or detach the policy.',
  uses: ['iam.authorizationDetails'],
  async run(ctx) {
    const details = await ctx.inventory.get('iam.authorizationDetails');
    const evaluations: Evaluation[] = [];

    for (const policy of details.policies) {
      const arn = policy.Arn ?? policy.PolicyName ?? '(unnamed policy)';
      const attachments = policy.AttachmentCount ?? 0;
      // Unattached policies (and ones used only as permissions boundaries) grant nothing to anyone.
      if (attachments === 0) {
        evaluations.push(ctx.pass(arn));
        continue;
      }
      const name = policy.PolicyName ?? arn;
      const document = parsePolicyDocument(defaultVersionDocument(policy), `managed policy ${arn}`);
      const offending = fullAdminStatements(document);
      if (offending.length === 0) {
        evaluations.push(ctx.pass(arn));
        continue;
      }
      evaluations.push(
        ctx.fail({
          resource: { type: 'AWS::IAM::Policy', id: arn, ...(policy.Arn ? { arn: policy.Arn } : {}) },
          message: `Customer-managed policy ${name}, attached to ${attachments} identit${attachments === 1 ? 'y' : 'ies'}, allows every action on every resource: ${describeStatements(document, offending)}.`,
          details: {
            policyKind: 'managed',
            policyName: name,
            attachmentCount: attachments,
            defaultVersion: policy.DefaultVersionId ?? null,
            statements: describeStatements(document, offending),
          },
        }),
      );
    }

    for (const user of details.users) {
      const name = user.UserName ?? user.UserId ?? '(unnamed user)';
      for (const policy of user.UserPolicyList ?? []) evaluations.push(evaluateInline(ctx, 'user', name, policy));
    }
    for (const group of details.groups) {
      const name = group.GroupName ?? group.GroupId ?? '(unnamed group)';
      for (const policy of group.GroupPolicyList ?? []) evaluations.push(evaluateInline(ctx, 'group', name, policy));
    }
    for (const role of details.roles) {
      const name = role.RoleName ?? role.RoleId ?? '(unnamed role)';
      for (const policy of role.RolePolicyList ?? []) evaluations.push(evaluateInline(ctx, 'role', name, policy));
    }
    return evaluations;
  },
});
