import { parse as parseHcl } from '@cdktf/hcl2json';
import { isAlias, parseDocument, visit } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { ALL_ACTIONS } from '../../src/remediation/actions/index.js';
import { auditActions, auditActionsBeyondSecurityAudit, fixActions } from '../../src/roles/policies.js';
import { SECURITY_AUDIT, securityAuditGrants } from '../../src/roles/security-audit.js';
import { roleTemplate } from '../../src/roles/templates.js';
import { PROCESS_TEST_TIMEOUT_MS, runCliProcess } from '../helpers/cli-process.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const input = (remediation: boolean) => ({ checks: ALL_CHECKS, actions: ALL_ACTIONS, remediation });

/** Resource types the templates may declare (a typo here would be a stack that fails to create). */
const CFN_TYPES = new Set(['AWS::IAM::Role']);
const PSEUDO = new Set(['AWS::Partition', 'AWS::AccountId', 'AWS::Region', 'AWS::NoValue', 'AWS::StackName', 'AWS::URLSuffix']);
/** IAM's quota on a role's inline policies, together, in characters without white space. */
const ROLE_INLINE_POLICY_QUOTA = 10_240;

/**
 * What CloudFormation refuses before it creates anything, checked on the
 * template as text: YAML aliases (CloudFormation does not take them), the
 * sections' shapes, and every Ref, GetAtt, Sub variable and condition naming
 * something the template declares.
 */
function cloudFormationProblems(text: string): string[] {
  const problems: string[] = [];
  // CloudFormation reads YAML 1.1: an unquoted 2010-09-09 is a date there, yes and no are booleans.
  const doc = parseDocument(text, { version: '1.1' });
  if (doc.errors.length > 0) return doc.errors.map((e) => e.message);
  visit(doc, (_key, node) => {
    if (isAlias(node)) problems.push(`YAML alias *${node.source}`);
  });
  const t = doc.toJS() as Record<string, Json>;
  if (t.AWSTemplateFormatVersion !== '2010-09-09') problems.push(`AWSTemplateFormatVersion is ${JSON.stringify(t.AWSTemplateFormatVersion)}`);
  const params = (t.Parameters ?? {}) as Record<string, Record<string, Json>>;
  const resources = (t.Resources ?? {}) as Record<string, Record<string, Json>>;
  const conditions = (t.Conditions ?? {}) as Record<string, Json>;
  for (const key of Object.keys(t)) {
    if (!['AWSTemplateFormatVersion', 'Description', 'Parameters', 'Conditions', 'Resources', 'Outputs', 'Metadata', 'Mappings'].includes(key))
      problems.push(`unknown section ${key}`);
  }
  if (Object.keys(resources).length === 0) problems.push('no Resources');
  for (const [name, p] of Object.entries(params)) {
    if (!['String', 'Number', 'CommaDelimitedList'].includes(String(p.Type))) problems.push(`parameter ${name} has Type ${String(p.Type)}`);
    if (typeof p.Default === 'string' && typeof p.AllowedPattern === 'string' && !new RegExp(p.AllowedPattern).test(p.Default))
      problems.push(`parameter ${name}'s default does not match its AllowedPattern`);
  }
  const known = (name: string) => name in params || name in resources || PSEUDO.has(name);
  const walk = (node: Json, at: string) => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => {
        walk(n, `${at}[${i}]`);
      });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && (typeof value !== 'string' || !known(value))) problems.push(`${at}: Ref to ${JSON.stringify(value)}`);
      if (key === 'Fn::GetAtt' && (!Array.isArray(value) || !(String(value[0]) in resources))) problems.push(`${at}: GetAtt ${JSON.stringify(value)}`);
      if (key === 'Fn::If' && (!Array.isArray(value) || value.length !== 3 || !(String(value[0]) in conditions)))
        problems.push(`${at}: If ${JSON.stringify(value)}`);
      if (key === 'Fn::Sub' && typeof value === 'string')
        for (const [, v] of value.matchAll(/\$\{([^}]+)\}/g)) if (!known(v!)) problems.push(`${at}: Sub variable ${v}`);
      walk(value, `${at}.${key}`);
    }
  };
  for (const [name, r] of Object.entries(resources)) {
    if (!CFN_TYPES.has(String(r.Type))) problems.push(`resource ${name} has Type ${String(r.Type)}`);
    const props = (r.Properties ?? {}) as Record<string, Json>;
    if (!props.AssumeRolePolicyDocument) problems.push(`resource ${name} has no trust policy`);
    const inline = JSON.stringify((props.Policies as Json[] | undefined) ?? []).replace(/\s/g, '');
    if (inline.length > ROLE_INLINE_POLICY_QUOTA) problems.push(`resource ${name}'s inline policies are ${inline.length} characters`);
    walk(r, `Resources.${name}`);
  }
  walk(t.Outputs ?? {}, 'Outputs');
  walk(conditions, 'Conditions');
  return problems;
}

type Hcl = Record<string, Record<string, Record<string, Record<string, Json>[]>>>;

/** Terraform's references checked on the parsed HCL: every var.X declared, every resource or data source named exists. */
function terraformProblems(tf: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const variables = Object.keys((tf.variable ?? {}) as object);
  const resources = (tf.resource ?? {}) as Hcl[string];
  const data = (tf.data ?? {}) as Hcl[string];
  const text = JSON.stringify(tf);
  for (const [, v] of text.matchAll(/var\.([a-z_]+)/g)) if (!variables.includes(v!)) problems.push(`var.${v} is not declared`);
  for (const [, type, name] of text.matchAll(/\bdata\.([a-z_]+)\.([a-z_]+)/g)) if (!data[type!]?.[name!]) problems.push(`data.${type}.${name} is not declared`);
  for (const [, type, name] of text.matchAll(/\$\{(aws_[a-z_]+)\.([a-z_]+)\./g))
    if (!resources[type!]?.[name!]) problems.push(`${type}.${name} is not declared`);
  for (const type of Object.keys(resources)) if (!type.startsWith('aws_')) problems.push(`resource type ${type}`);
  return problems;
}

/** The actions of a CloudFormation role's inline policies. */
function inlineActions(role: Record<string, Json> | undefined): string[] {
  const policies = ((role?.Properties as Record<string, Json> | undefined)?.Policies ?? []) as { PolicyDocument: { Statement: { Action: string[] }[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement.flatMap((s) => s.Action));
}

/** The actions of a Terraform aws_iam_policy_document. */
function documentActions(tf: Record<string, unknown>, name: string): string[] {
  const docs = (tf.data as Hcl[string]).aws_iam_policy_document!;
  const statements = (docs[name]?.[0]?.statement ?? []) as { actions: string[] }[];
  return statements.flatMap((s) => s.actions);
}

describe('what SecurityAudit grants', () => {
  it('matches actions by its patterns, case-insensitively, and nothing of a service it does not list', () => {
    expect(securityAuditGrants('ec2:DescribeInstances')).toBe(true);
    expect(securityAuditGrants('s3:GetBucketPolicy')).toBe(true); // s3:GetBucket*
    expect(securityAuditGrants('S3:getbucketacl')).toBe(true);
    expect(securityAuditGrants('s3:PutBucketPolicy')).toBe(false);
    expect(securityAuditGrants('ec2:GetSnapshotBlockPublicAccessState')).toBe(false);
    expect(securityAuditGrants('iam:UpdateAccessKey')).toBe(false);
    expect(securityAuditGrants('organizations:ListAccounts')).toBe(true);
    expect(securityAuditGrants('madeup:ListThings')).toBe(false);
    expect(securityAuditGrants('iam')).toBe(false);
  });

  it('is known for every service a check calls (a new service must be looked up in the policy, not guessed)', () => {
    const services = new Set(auditActions(ALL_CHECKS).map((a) => a.split(':')[0]!));
    const unknown = [...services].filter((s) => !(s in SECURITY_AUDIT.patterns));
    expect(unknown).toEqual([]);
  });
});

describe('aws-audit-bot roles --format cloudformation', () => {
  it('is a template CloudFormation takes: no aliases, every reference declared, inline policies within the quota', () => {
    for (const remediation of [false, true]) expect(cloudFormationProblems(roleTemplate('cloudformation', input(remediation)))).toEqual([]);
  });

  it('finds what CloudFormation would refuse (so the test above can fail)', () => {
    const good = roleTemplate('cloudformation', input(true));
    expect(cloudFormationProblems(good.replace('Ref: AuditRoleName', 'Ref: AuditRoleNam'))).toEqual([expect.stringContaining('Ref to "AuditRoleNam"')]);
    expect(cloudFormationProblems(good.replace('- HasExternalId', '- HasExternalID')).length).toBeGreaterThan(0);
    expect(cloudFormationProblems(good.replace('AWSTemplateFormatVersion: "2010-09-09"', 'AWSTemplateFormatVersion: 2010-09-09'))).not.toEqual([]);
    expect(
      cloudFormationProblems(good.replace('AssumeRolePolicyDocument:', 'AssumeRolePolicyDocument: &trust\n        x: 1\n      Other: *trust\n      Ignored:')),
    ).toContainEqual('YAML alias *trust');
    expect(cloudFormationProblems(good.replace('Type: AWS::IAM::Role', 'Type: AWS::IAM::Rol'))).toContainEqual('resource AuditRole has Type AWS::IAM::Rol');
  });

  it('grants the audit role SecurityAudit and exactly the declared calls it lacks; the remediation role exactly the fixes’ calls', () => {
    const audit = parseDocument(roleTemplate('cloudformation', input(false))).toJS() as { Resources: Record<string, Record<string, Json>> };
    expect(Object.keys(audit.Resources)).toEqual(['AuditRole']);
    const role = audit.Resources.AuditRole!;
    expect(JSON.stringify((role.Properties as Record<string, Json>).ManagedPolicyArns)).toContain('iam::aws:policy/SecurityAudit');
    const inline = inlineActions(role);
    expect(inline).toEqual(auditActionsBeyondSecurityAudit(ALL_CHECKS));
    expect(inline).toContain('ec2:GetSnapshotBlockPublicAccessState');
    // Every call an audit makes is granted one way or the other, and nothing is granted twice.
    for (const action of auditActions(ALL_CHECKS)) expect(securityAuditGrants(action) !== inline.includes(action)).toBe(true);

    const both = parseDocument(roleTemplate('cloudformation', input(true))).toJS() as { Resources: Record<string, Record<string, Json>> };
    const fixes = inlineActions(both.Resources.RemediationRole);
    expect(fixes).toEqual(fixActions(ALL_ACTIONS));
    for (const action of ALL_ACTIONS) for (const p of action.permissions) expect(fixes).toContain(p);
    expect((both.Resources.RemediationRole!.Properties as Record<string, Json>).ManagedPolicyArns).toBeUndefined();
  });

  it('trusts only the bot’s principal, and asks for the external id only when one is given', () => {
    const t = parseDocument(roleTemplate('cloudformation', input(true))).toJS() as {
      Parameters: Record<string, { AllowedPattern: string; Default?: string }>;
      Resources: Record<string, { Properties: { AssumeRolePolicyDocument: { Statement: Record<string, Json>[] } } }>;
    };
    for (const role of ['AuditRole', 'RemediationRole']) {
      const [statement] = t.Resources[role]!.Properties.AssumeRolePolicyDocument.Statement;
      expect(statement).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: { Ref: 'BotPrincipalArn' } } });
      expect(JSON.stringify(statement!.Condition)).toContain('"HasExternalId"');
    }
    const principal = new RegExp(t.Parameters.BotPrincipalArn!.AllowedPattern);
    expect(principal.test('arn:aws:iam::111122223333:role/aws-audit-bot')).toBe(true);
    expect(principal.test('arn:aws-us-gov:iam::111122223333:user/bot')).toBe(true);
    expect(principal.test('*')).toBe(false);
    expect(principal.test('arn:aws:iam::111122223333:root')).toBe(false);
    const externalId = new RegExp(t.Parameters.ExternalId!.AllowedPattern);
    expect(externalId.test('')).toBe(true);
    expect(externalId.test('x')).toBe(false);
    expect(externalId.test('change-me')).toBe(true);
  });
});

describe('aws-audit-bot roles --format terraform', () => {
  it('is HCL Terraform parses, every reference declared, with the same actions as the CloudFormation template', async () => {
    for (const remediation of [false, true]) {
      const tf = (await parseHcl('main.tf', roleTemplate('terraform', input(remediation)))) as Record<string, unknown>;
      expect(terraformProblems(tf)).toEqual([]);
      expect(documentActions(tf, 'audit_beyond_security_audit')).toEqual(auditActionsBeyondSecurityAudit(ALL_CHECKS));
      const attachment = (tf.resource as Hcl[string]).aws_iam_role_policy_attachment!.audit_security_audit![0]!;
      expect(attachment.policy_arn).toBe(`arn:\${data.aws_partition.current.partition}:iam::aws:policy/SecurityAudit`);
      const roles = Object.keys((tf.resource as Hcl[string]).aws_iam_role!);
      expect(roles).toEqual(remediation ? ['audit', 'remediation'] : ['audit']);
      if (remediation) expect(documentActions(tf, 'fixes')).toEqual(fixActions(ALL_ACTIONS));
    }
  });

  it('finds a dangling reference (so the test above can fail), and HCL that does not parse is refused', async () => {
    const good = roleTemplate('terraform', input(true));
    const tf = (await parseHcl('main.tf', good.replace('var.remediation_role_name', 'var.remediation_role'))) as Record<string, unknown>;
    expect(terraformProblems(tf)).toEqual(['var.remediation_role is not declared']);
    const data = (await parseHcl('main.tf', good.replace('data.aws_iam_policy_document.fixes.json', 'data.aws_iam_policy_document.fix.json'))) as Record<
      string,
      unknown
    >;
    expect(terraformProblems(data)).toEqual(['data.aws_iam_policy_document.fix is not declared']);
    await expect(parseHcl('main.tf', good.replace('resources = ["*"]', 'resources = ['))).rejects.toThrow();
  });
});

describe('aws-audit-bot roles, as a process', () => {
  it(
    'prints either template with no config and no AWS, and refuses another format',
    async () => {
      const env = { ...process.env, AUDIT_CONFIG: '/nonexistent/audit.config.yml' };
      const cfn = await runCliProcess(['roles', '--remediation'], { env });
      expect(cfn.code).toBe(0);
      expect(cloudFormationProblems(cfn.stdout)).toEqual([]);
      expect(cfn.stdout).toContain('RemediationRole:');
      const tf = await runCliProcess(['roles', '--format', 'terraform'], { env });
      expect(tf.code).toBe(0);
      expect(terraformProblems((await parseHcl('main.tf', tf.stdout)) as Record<string, unknown>)).toEqual([]);
      expect(tf.stdout).not.toContain('"remediation"');
      const bad = await runCliProcess(['roles', '--format', 'json'], { env });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--format must be one of cloudformation, terraform, not "json"');
      expect(bad.stdout).toBe('');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
