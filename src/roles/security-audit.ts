/**
 * What AWS's managed `SecurityAudit` policy grants, for the services the
 * checks (and organization discovery) call: the statement's patterns as AWS
 * published them in version v45 (2024-10-30). The audit role template
 * attaches SecurityAudit and adds, in an inline policy, only the actions it
 * declares that none of these patterns grants. A service not listed here is
 * treated as not granted (its actions all go inline): test/roles tests that
 * every service a check calls is listed, so a new one is looked up, not guessed.
 */
export const SECURITY_AUDIT = {
  version: 'v45',
  published: '2024-10-30',
  arnSuffix: 'iam::aws:policy/SecurityAudit',
  patterns: {
    'access-analyzer': [
      'GetAnalyzedResource',
      'GetAnalyzer',
      'GetArchiveRule',
      'GetFinding',
      'ListAnalyzedResources',
      'ListAnalyzers',
      'ListArchiveRules',
      'ListFindings',
      'ListTagsForResource',
    ],
    cloudfront: ['Get*', 'List*'],
    cloudtrail: ['DescribeTrails', 'GetEventSelectors', 'GetInsightSelectors', 'GetTrail', 'GetTrailStatus', 'ListTags', 'ListTrails', 'LookupEvents'],
    cloudwatch: ['Describe*', 'GetDashboard', 'ListDashboards', 'ListTagsForResource'],
    config: [
      'BatchGetAggregateResourceConfig',
      'BatchGetResourceConfig',
      'Deliver*',
      'Describe*',
      'Get*',
      'List*',
      'SelectAggregateResourceConfig',
      'SelectResourceConfig',
    ],
    ec2: [
      'Describe*',
      'GetEbsEncryptionByDefault',
      'GetImageBlockPublicAccessState',
      'GetManagedPrefixListAssociations',
      'GetManagedPrefixListEntries',
      'GetNetworkInsightsAccessScopeAnalysisFindings',
      'GetNetworkInsightsAccessScopeContent',
      'GetTransitGatewayAttachmentPropagations',
      'GetTransitGatewayMulticastDomainAssociations',
      'GetTransitGatewayPrefixListReferences',
      'GetTransitGatewayRouteTableAssociations',
      'GetTransitGatewayRouteTablePropagations',
      'SearchTransitGatewayRoutes',
    ],
    elasticfilesystem: [
      'DescribeAccessPoints',
      'DescribeAccountPreferences',
      'DescribeBackupPolicy',
      'DescribeFileSystemPolicy',
      'DescribeFileSystems',
      'DescribeLifecycleConfiguration',
      'DescribeMountTargetSecurityGroups',
      'DescribeMountTargets',
      'DescribeReplicationConfigurations',
      'DescribeTags',
    ],
    elasticloadbalancing: ['Describe*'],
    iam: ['GenerateCredentialReport', 'GenerateServiceLastAccessedDetails', 'Get*', 'List*', 'SimulateCustomPolicy', 'SimulatePrincipalPolicy'],
    kms: ['Describe*', 'Get*', 'List*'],
    logs: ['Describe*', 'GetLogDelivery', 'ListLogDeliveries', 'ListTagsForResource', 'ListTagsLogGroup'],
    organizations: ['Describe*', 'List*'],
    rds: ['Describe*', 'DownloadDBLogFilePortion', 'ListTagsForResource'],
    route53: ['Get*', 'List*'],
    s3: [
      'GetAccelerateConfiguration',
      'GetAccessPoint',
      'GetAccessPointPolicy',
      'GetAccessPointPolicyStatus',
      'GetAccountPublicAccessBlock',
      'GetAnalyticsConfiguration',
      'GetBucket*',
      'GetEncryptionConfiguration',
      'GetInventoryConfiguration',
      'GetLifecycleConfiguration',
      'GetMetricsConfiguration',
      'GetMultiRegionAccessPointPolicy',
      'GetObjectAcl',
      'GetObjectVersionAcl',
      'GetReplicationConfiguration',
      'ListAccessPoints',
      'ListAllMyBuckets',
      'ListMultiRegionAccessPoints',
    ],
    securityhub: ['Describe*', 'Get*', 'List*'],
    sns: ['GetPlatformApplicationAttributes', 'GetTopicAttributes', 'ListSubscriptions', 'ListSubscriptionsByTopic', 'ListTagsForResource', 'ListTopics'],
    sts: ['GetAccessKeyInfo'],
  } as Readonly<Record<string, readonly string[]>>,
} as const;

/** Whether an IAM action pattern (`Describe*`, `GetBucket*`) matches an action name; IAM compares case-insensitively. */
function patternMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  const star = p.indexOf('*');
  if (star === -1) return p === n;
  // SecurityAudit's patterns have one trailing star; anything else is compared as a whole.
  return star === p.length - 1 ? n.startsWith(p.slice(0, -1)) : p === n;
}

/** Whether SecurityAudit grants `service:Action`. */
export function securityAuditGrants(action: string): boolean {
  const [service, name] = action.split(':') as [string, string | undefined];
  const patterns = SECURITY_AUDIT.patterns[service.toLowerCase()];
  return name !== undefined && (patterns?.some((p) => patternMatches(p, name)) ?? false);
}
