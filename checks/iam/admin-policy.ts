import type { AttachedPolicy, PolicyDetail } from '@aws-sdk/client-iam';
import type { AuthorizationDetails } from '../../src/audit/datasets/iam.js';
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
  return offending.map((s) => `statement ${document.Statement.indexOf(s) + 1}${s.Sid ? ` (Sid ${s.Sid})` : ''}`).join(', ');
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

const ENTITY_TYPES = { user: 'AWS::IAM::User', group: 'AWS::IAM::Group', role: 'AWS::IAM::Role' } as const;

/** AWS's own full-admin policy, in every partition: known even when its document is not in the answer. */
const ADMINISTRATOR_ACCESS = /^arn:[\w-]+:iam::aws:policy\/AdministratorAccess$/;

/** The AWS-managed policies (by ARN) whose default version allows every action on every resource. */
function fullAdminAwsPolicies(details: AuthorizationDetails): Set<string> {
  const arns = new Set<string>();
  for (const policy of details.awsPolicies) {
    if (!policy.Arn) continue;
    const document = parsePolicyDocument(defaultVersionDocument(policy), `AWS-managed policy ${policy.Arn}`);
    if (fullAdminStatements(document).length > 0) arns.add(policy.Arn);
  }
  return arns;
}

function evaluateAttachedAws(
  ctx: CheckContext,
  kind: EntityKind,
  name: string,
  arn: string | undefined,
  attached: readonly AttachedPolicy[],
  admin: Set<string>,
): Evaluation {
  const id = `${kind}/${name}`;
  const granting = attached.filter((p) => p.PolicyArn && (admin.has(p.PolicyArn) || ADMINISTRATOR_ACCESS.test(p.PolicyArn)));
  if (granting.length === 0) return ctx.pass(id);
  const names = granting.map((p) => p.PolicyName ?? p.PolicyArn!.split('/').pop()!);
  return ctx.fail({
    resource: { type: ENTITY_TYPES[kind], id, ...(arn ? { arn } : {}) },
    subKey: granting
      .map((p) => p.PolicyArn)
      .sort()
      .join(','),
    message: `${kind[0]!.toUpperCase()}${kind.slice(1)} ${name} has the AWS-managed ${names.join(' and ')} attached, which allow${granting.length === 1 ? 's' : ''} every action on every resource.`,
    details: { policyKind: 'aws-managed', entityType: kind, entityName: name, policies: granting.map((p) => p.PolicyArn!).join(', ') },
  });
}

export default defineCheck({
  id: 'iam.admin-policy',
  title: "No attached policy grants full '*:*' administrator access",
  service: 'iam',
  scope: 'global',
  severity: 'high',
  description:
    'A policy that allows every action on every resource turns whoever holds it into an administrator: one leaked key or compromised workload then controls the whole account. Customer-managed and inline policies are judged by their documents; an AWS-managed one (AdministratorAccess, the most common grant) is reported on each user, group and role it is attached to.',
  references: { cis: '1.15', securityHub: 'IAM.1' },
  remediation:
    'Replace the "Action": "*", "Resource": "*" statement with the actions and resources the holders need (IAM Access Analyzer can generate a policy from CloudTrail activity), or detach the policy; for AdministratorAccess, attach a narrower policy and detach it (`aws iam detach-role-policy --role-name <name> --policy-arn arn:aws:iam::aws:policy/AdministratorAccess`), keeping full admin to break-glass roles assumed with MFA.',
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

    // AWS-managed policies are judged where they are attached: AdministratorAccess on a role is the finding, not the policy itself.
    const adminAws = fullAdminAwsPolicies(details);
    for (const user of details.users) {
      const name = user.UserName ?? user.UserId ?? '(unnamed user)';
      for (const policy of user.UserPolicyList ?? []) evaluations.push(evaluateInline(ctx, 'user', name, policy));
      evaluations.push(evaluateAttachedAws(ctx, 'user', name, user.Arn, user.AttachedManagedPolicies ?? [], adminAws));
    }
    for (const group of details.groups) {
      const name = group.GroupName ?? group.GroupId ?? '(unnamed group)';
      for (const policy of group.GroupPolicyList ?? []) evaluations.push(evaluateInline(ctx, 'group', name, policy));
      evaluations.push(evaluateAttachedAws(ctx, 'group', name, group.Arn, group.AttachedManagedPolicies ?? [], adminAws));
    }
    for (const role of details.roles) {
      const name = role.RoleName ?? role.RoleId ?? '(unnamed role)';
      for (const policy of role.RolePolicyList ?? []) evaluations.push(evaluateInline(ctx, 'role', name, policy));
      evaluations.push(evaluateAttachedAws(ctx, 'role', name, role.Arn, role.AttachedManagedPolicies ?? [], adminAws));
    }
    return evaluations;
  },
});
