import type {
  AttachedPolicy,
  GetAccountAuthorizationDetailsResponse,
  GroupDetail,
  ManagedPolicyDetail,
  PasswordPolicy,
  PolicyDetail,
  RoleDetail,
  ServerCertificateMetadata,
  UserDetail,
} from '@aws-sdk/client-iam';
import { ACCOUNT } from './aws.js';

const ACCOUNT_ID = ACCOUNT.accountId;

/** IAM unique ids: a type prefix (AIDA user, AROA role, …) and 17 characters. */
function fakeId(prefix: string, name: string): string {
  return `${prefix}${name
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .padEnd(17, 'X')
    .slice(0, 17)}`;
}

/**
 * URL-encodes as IAM does (RFC 3986): encodeURIComponent leaves !'()* alone,
 * IAM does not, and a policy full of `*` must go through the decoder.
 */
export function encodePolicy(document: object | string): string {
  const text = typeof document === 'string' ? document : JSON.stringify(document);
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export const ADMIN_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' }],
};

export const READ_ONLY_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*'] }],
};

/** A managed policy AWS owns, as attached to a user, group or role. */
export function awsManaged(name: string, partition = 'aws'): AttachedPolicy {
  return { PolicyName: name, PolicyArn: `arn:${partition}:iam::aws:policy/${name}` };
}

/** A customer-managed policy of this account, as attached to a user, group or role. */
export function customerManaged(name: string): AttachedPolicy {
  return { PolicyName: name, PolicyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/${name}` };
}

export function inlinePolicy(name: string, document: object | string = READ_ONLY_DOCUMENT): PolicyDetail {
  return { PolicyName: name, PolicyDocument: encodePolicy(document) };
}

interface EntityOptions {
  attached?: AttachedPolicy[];
  inline?: PolicyDetail[];
  path?: string;
}

export function userDetail(name: string, options: EntityOptions & { groups?: string[] } = {}): UserDetail {
  return {
    Path: options.path ?? '/',
    UserName: name,
    UserId: fakeId('AIDA', name),
    Arn: `arn:aws:iam::${ACCOUNT_ID}:user/${name}`,
    CreateDate: new Date('2024-01-01T00:00:00Z'),
    GroupList: options.groups ?? [],
    AttachedManagedPolicies: options.attached ?? [],
    UserPolicyList: options.inline ?? [],
  };
}

export function groupDetail(name: string, options: EntityOptions = {}): GroupDetail {
  return {
    Path: options.path ?? '/',
    GroupName: name,
    GroupId: fakeId('AGPA', name),
    Arn: `arn:aws:iam::${ACCOUNT_ID}:group/${name}`,
    CreateDate: new Date('2024-01-01T00:00:00Z'),
    AttachedManagedPolicies: options.attached ?? [],
    GroupPolicyList: options.inline ?? [],
  };
}

export function roleDetail(name: string, options: EntityOptions = {}): RoleDetail {
  const path = options.path ?? '/';
  return {
    Path: path,
    RoleName: name,
    RoleId: fakeId('AROA', name),
    Arn: `arn:aws:iam::${ACCOUNT_ID}:role${path}${name}`,
    CreateDate: new Date('2024-01-01T00:00:00Z'),
    AssumeRolePolicyDocument: encodePolicy({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
    AttachedManagedPolicies: options.attached ?? [],
    RolePolicyList: options.inline ?? [],
  };
}

/** A service-linked role, as AWS creates them under /aws-service-role/<service>/. */
export function serviceLinkedRole(name: string, service = 'support.amazonaws.com'): RoleDetail {
  return roleDetail(name, { path: `/aws-service-role/${service}/`, attached: [awsManaged(`aws-service-role/${name}Policy`)] });
}

/**
 * A customer-managed policy as GetAccountAuthorizationDetails lists it: every
 * version, the default one marked, documents URL-encoded.
 */
export function managedPolicy(
  name: string,
  document: object | string,
  options: { attachments?: number; boundaryUses?: number; olderVersions?: (object | string)[] } = {},
): ManagedPolicyDetail {
  const older = options.olderVersions ?? [];
  const defaultVersion = `v${older.length + 1}`;
  return {
    PolicyName: name,
    PolicyId: fakeId('ANPA', name),
    Arn: `arn:aws:iam::${ACCOUNT_ID}:policy/${name}`,
    Path: '/',
    DefaultVersionId: defaultVersion,
    AttachmentCount: options.attachments ?? 1,
    PermissionsBoundaryUsageCount: options.boundaryUses ?? 0,
    IsAttachable: true,
    PolicyVersionList: [
      ...older.map((doc, i) => ({ Document: encodePolicy(doc), VersionId: `v${i + 1}`, IsDefaultVersion: false })),
      { Document: encodePolicy(document), VersionId: defaultVersion, IsDefaultVersion: true },
    ],
  };
}

export interface AuthorizationDetailsInput {
  users?: UserDetail[];
  groups?: GroupDetail[];
  roles?: RoleDetail[];
  policies?: ManagedPolicyDetail[];
}

/** One complete (untruncated) GetAccountAuthorizationDetails page. */
/** An AWS-managed policy as GetAccountAuthorizationDetails lists it with the AWSManagedPolicy filter. */
export function awsManagedPolicy(name: string, document: object | string, attachments = 1): ManagedPolicyDetail {
  return { ...managedPolicy(name, document, { attachments }), Arn: `arn:aws:iam::aws:policy/${name}`, Path: '/' };
}

export function authorizationDetailsPage(input: AuthorizationDetailsInput = {}, next?: string): GetAccountAuthorizationDetailsResponse {
  return {
    UserDetailList: input.users ?? [],
    GroupDetailList: input.groups ?? [],
    RoleDetailList: input.roles ?? [],
    Policies: input.policies ?? [],
    IsTruncated: next !== undefined,
    ...(next !== undefined ? { Marker: next } : {}),
  };
}

/** What `aws iam update-account-password-policy` with every CIS setting leaves behind. */
export function strongPasswordPolicy(overrides: PasswordPolicy = {}): PasswordPolicy {
  return {
    MinimumPasswordLength: 14,
    RequireSymbols: true,
    RequireNumbers: true,
    RequireUppercaseCharacters: true,
    RequireLowercaseCharacters: true,
    AllowUsersToChangePassword: true,
    ExpirePasswords: false,
    PasswordReusePrevention: 24,
    HardExpiry: false,
    ...overrides,
  };
}

export function serverCertificate(name: string, expiration: Date): ServerCertificateMetadata {
  return {
    Path: '/',
    ServerCertificateName: name,
    ServerCertificateId: fakeId('ASCA', name),
    Arn: `arn:aws:iam::${ACCOUNT_ID}:server-certificate/${name}`,
    UploadDate: new Date('2024-01-01T00:00:00Z'),
    Expiration: expiration,
  };
}
