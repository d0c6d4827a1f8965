/**
 * The CIS AWS Foundations v5.0 monitoring controls 4.1–4.15: each one a
 * metric filter on the trail's log group that must match certain events.
 * A filter satisfies a control when its pattern contains every comparison
 * the control's pattern is made of, whatever the whitespace, quoting or the
 * order of its `||` terms. Not a check (no default export).
 */

export interface MonitoringControl {
  cis: string;
  /** What it watches, for messages: "unauthorized API calls". */
  watches: string;
  /** The comparisons a filter pattern must contain, normalised (see {@link comparisons}). */
  terms: readonly string[];
}

const names = (...events: string[]) => events.map((e) => `$.eventName=${e}`);
const source = (s: string) => `$.eventSource=${s}`;

export const MONITORING_CONTROLS: readonly MonitoringControl[] = [
  { cis: '4.1', watches: 'unauthorized API calls', terms: ['$.errorCode=*UnauthorizedOperation', '$.errorCode=AccessDenied*'] },
  { cis: '4.2', watches: 'console sign-ins without MFA', terms: ['$.eventName=ConsoleLogin', '$.additionalEventData.MFAUsed!=Yes'] },
  { cis: '4.3', watches: 'use of the root user', terms: ['$.userIdentity.type=Root', '$.userIdentity.invokedBy NOT EXISTS', '$.eventType!=AwsServiceEvent'] },
  {
    cis: '4.4',
    watches: 'IAM policy changes',
    terms: names(
      'DeleteGroupPolicy',
      'DeleteRolePolicy',
      'DeleteUserPolicy',
      'PutGroupPolicy',
      'PutRolePolicy',
      'PutUserPolicy',
      'CreatePolicy',
      'DeletePolicy',
      'CreatePolicyVersion',
      'DeletePolicyVersion',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'AttachUserPolicy',
      'DetachUserPolicy',
      'AttachGroupPolicy',
      'DetachGroupPolicy',
    ),
  },
  { cis: '4.5', watches: 'CloudTrail configuration changes', terms: names('CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging') },
  { cis: '4.6', watches: 'console authentication failures', terms: ['$.eventName=ConsoleLogin', '$.errorMessage=Failed authentication'] },
  {
    cis: '4.7',
    watches: 'disabling or scheduled deletion of customer-managed KMS keys',
    terms: [source('kms.amazonaws.com'), ...names('DisableKey', 'ScheduleKeyDeletion')],
  },
  {
    cis: '4.8',
    watches: 'S3 bucket policy changes',
    terms: [
      source('s3.amazonaws.com'),
      ...names(
        'PutBucketAcl',
        'PutBucketPolicy',
        'PutBucketCors',
        'PutBucketLifecycle',
        'PutBucketReplication',
        'DeleteBucketPolicy',
        'DeleteBucketCors',
        'DeleteBucketLifecycle',
        'DeleteBucketReplication',
      ),
    ],
  },
  {
    cis: '4.9',
    watches: 'AWS Config configuration changes',
    terms: [source('config.amazonaws.com'), ...names('StopConfigurationRecorder', 'DeleteDeliveryChannel', 'PutDeliveryChannel', 'PutConfigurationRecorder')],
  },
  {
    cis: '4.10',
    watches: 'security group changes',
    terms: names(
      'AuthorizeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'RevokeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
      'CreateSecurityGroup',
      'DeleteSecurityGroup',
    ),
  },
  {
    cis: '4.11',
    watches: 'network ACL changes',
    terms: names(
      'CreateNetworkAcl',
      'CreateNetworkAclEntry',
      'DeleteNetworkAcl',
      'DeleteNetworkAclEntry',
      'ReplaceNetworkAclEntry',
      'ReplaceNetworkAclAssociation',
    ),
  },
  {
    cis: '4.12',
    watches: 'network gateway changes',
    terms: names(
      'CreateCustomerGateway',
      'DeleteCustomerGateway',
      'AttachInternetGateway',
      'CreateInternetGateway',
      'DeleteInternetGateway',
      'DetachInternetGateway',
    ),
  },
  {
    cis: '4.13',
    watches: 'route table changes',
    terms: names(
      'CreateRoute',
      'CreateRouteTable',
      'ReplaceRoute',
      'ReplaceRouteTableAssociation',
      'DeleteRouteTable',
      'DeleteRoute',
      'DisassociateRouteTable',
    ),
  },
  {
    cis: '4.14',
    watches: 'VPC changes',
    terms: names(
      'CreateVpc',
      'DeleteVpc',
      'ModifyVpcAttribute',
      'AcceptVpcPeeringConnection',
      'CreateVpcPeeringConnection',
      'DeleteVpcPeeringConnection',
      'RejectVpcPeeringConnection',
      'AttachClassicLinkVpc',
      'DetachClassicLinkVpc',
      'DisableVpcClassicLink',
      'EnableVpcClassicLink',
    ),
  },
  {
    cis: '4.15',
    watches: 'AWS Organizations changes',
    terms: [
      source('organizations.amazonaws.com'),
      ...names(
        'AcceptHandshake',
        'AttachPolicy',
        'CreateAccount',
        'CreateOrganizationalUnit',
        'CreatePolicy',
        'DeclineHandshake',
        'DeleteOrganization',
        'DeleteOrganizationalUnit',
        'DeletePolicy',
        'DetachPolicy',
        'DisablePolicyType',
        'EnablePolicyType',
        'InviteAccountToOrganization',
        'LeaveOrganization',
        'MoveAccount',
        'RemoveAccountFromOrganization',
        'UpdatePolicy',
        'UpdateOrganizationalUnit',
      ),
    ],
  },
];

const COMPARISON = /\$\.([\w.[\]-]+)\s*(?:(!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^\s()&|]+))|(NOT\s+EXISTS|IS\s+NULL))/gi;

/**
 * The comparisons of a JSON filter pattern, normalised: `$.field=value`,
 * `$.field!=value`, `$.field NOT EXISTS`; quotes and whitespace dropped.
 */
export function comparisons(pattern: string): Set<string> {
  const out = new Set<string>();
  for (const m of pattern.matchAll(COMPARISON)) {
    const [, field, op, quoted, bare, unary] = m;
    out.add(unary ? `$.${field} ${unary.toUpperCase().replace(/\s+/, ' ')}` : `$.${field}${op}${(quoted ?? bare ?? '').trim()}`);
  }
  return out;
}

/** Whether a filter pattern watches what the control asks for. */
export function satisfies(pattern: string, control: MonitoringControl): boolean {
  const found = comparisons(pattern);
  return control.terms.every((t) => found.has(t));
}
