import type { AttachedPolicy, ManagedPolicyDetail } from '@aws-sdk/client-iam';
import { errorMessage } from '../errors.js';

/** One statement of an identity policy, with every list-or-string element made a list. */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: unknown;
  /** Resource policies only (bucket policies): kept as AWS wrote it, `"*"` or `{ "AWS": ... }`. */
  Principal?: unknown;
  NotPrincipal?: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

/** A policy document AWS should never have returned: the check reports it instead of passing. */
export class MalformedPolicyError extends Error {
  override readonly name = 'MalformedPolicyDocument';

  constructor(label: string, reason: string) {
    super(`the document of ${label} is malformed: ${reason}`);
  }
}

/**
 * GetAccountAuthorizationDetails (like GetPolicyVersion and GetRolePolicy)
 * returns documents URL-encoded (RFC 3986) and the SDK passes them on as they
 * are; fixtures and other APIs hand over plain JSON.
 */
export function decodePolicyText(text: string): string {
  const trimmed = text.trim();
  return trimmed.startsWith('{') ? trimmed : decodeURIComponent(trimmed);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, field: string, where: string, label: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) return [...value];
  throw new MalformedPolicyError(label, `${field} of ${where} is neither a string nor a list of strings`);
}

function normaliseStatement(raw: unknown, index: number, label: string): PolicyStatement {
  const where = `statement ${index + 1}`;
  if (!isRecord(raw)) throw new MalformedPolicyError(label, `${where} is not an object`);
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
    throw new MalformedPolicyError(label, `${where} has Effect ${JSON.stringify(raw.Effect) ?? 'undefined'}, expected "Allow" or "Deny"`);
  }
  const statement: PolicyStatement = { Effect: raw.Effect };
  if (typeof raw.Sid === 'string') statement.Sid = raw.Sid;
  for (const field of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    const list = stringList(raw[field], field, where, label);
    if (list) statement[field] = list;
  }
  if (raw.Condition !== undefined) statement.Condition = raw.Condition;
  if (raw.Principal !== undefined) statement.Principal = raw.Principal;
  if (raw.NotPrincipal !== undefined) statement.NotPrincipal = raw.NotPrincipal;
  return statement;
}

/**
 * Parses a policy document, URL-encoded or plain. `label` names the policy in
 * the error ("managed policy arn:…", "inline policy x of role y"): a document
 * that cannot be read throws, so no check passes on it.
 */
export function parsePolicyDocument(text: string | undefined, label: string): PolicyDocument {
  if (text === undefined || text.trim() === '') throw new MalformedPolicyError(label, 'AWS returned no document');
  let json: unknown;
  try {
    json = JSON.parse(decodePolicyText(text));
  } catch (error) {
    throw new MalformedPolicyError(label, `it is neither JSON nor URL-encoded JSON (${errorMessage(error)})`);
  }
  if (!isRecord(json)) throw new MalformedPolicyError(label, 'it is not a JSON object');
  const raw = json.Statement;
  if (raw === undefined) throw new MalformedPolicyError(label, 'it has no Statement');
  const statements = Array.isArray(raw) ? raw : [raw];
  return {
    ...(typeof json.Version === 'string' ? { Version: json.Version } : {}),
    Statement: statements.map((s, i) => normaliseStatement(s, i, label)),
  };
}

/**
 * `Effect: Allow`, `Action: *` (or `*:*`), `Resource: *`: full administrator.
 * NotAction and NotResource statements are broad too, but not this pattern;
 * conditions are ignored, as CIS and Security Hub do.
 */
export function grantsFullAdmin(statement: PolicyStatement): boolean {
  return (
    statement.Effect === 'Allow' &&
    (statement.Action?.some((action) => action === '*' || action === '*:*') ?? false) &&
    (statement.Resource?.includes('*') ?? false)
  );
}

/** The statements that allow every action on every resource. */
export function fullAdminStatements(document: PolicyDocument): PolicyStatement[] {
  return document.Statement.filter(grantsFullAdmin);
}

export function allowsFullAdmin(document: PolicyDocument): boolean {
  return document.Statement.some(grantsFullAdmin);
}

/** The document of the version that is in force; GetAccountAuthorizationDetails lists every version. */
export function defaultVersionDocument(policy: ManagedPolicyDetail): string {
  const versions = policy.PolicyVersionList ?? [];
  const current = versions.find((v) => v.IsDefaultVersion) ?? versions.find((v) => v.VersionId !== undefined && v.VersionId === policy.DefaultVersionId);
  if (!current?.Document) {
    throw new MalformedPolicyError(
      `managed policy ${policy.Arn ?? policy.PolicyName}`,
      `AWS listed no document for its default version ${policy.DefaultVersionId ?? '(none named)'}`,
    );
  }
  return current.Document;
}

const QUARANTINE_PREFIX = 'AWSCompromisedKeyQuarantine';

/**
 * AWS attaches AWSCompromisedKeyQuarantine (V2, V3, …) to a user whose access
 * key it found in public: the policy is AWS's alarm, not a grant.
 */
export function isCompromisedKeyQuarantine(policy: AttachedPolicy): boolean {
  // AWS-managed only (arn:<partition>:iam::aws:policy/…): a customer policy of that name is not AWS's alarm.
  return (policy.PolicyName?.startsWith(QUARANTINE_PREFIX) ?? false) && (policy.PolicyArn?.includes(':iam::aws:policy/') ?? false);
}

const SUPPORT_ACCESS_SUFFIX = ':iam::aws:policy/AWSSupportAccess';

/** By ARN suffix, so aws, aws-cn and aws-us-gov all match. */
export function isAwsSupportAccess(policy: AttachedPolicy): boolean {
  return policy.PolicyArn?.endsWith(SUPPORT_ACCESS_SUFFIX) ?? false;
}
