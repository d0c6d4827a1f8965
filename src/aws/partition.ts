/** The region that hosts a partition's global services (IAM, STS global, S3 control plane lookups). */
const HOME_REGIONS: Record<string, string> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-iso': 'us-iso-east-1',
  'aws-iso-b': 'us-isob-east-1',
};

export function partitionOfArn(arn: string): string {
  return arn.split(':')[1] || 'aws';
}

export function homeRegionOf(partition: string): string {
  return HOME_REGIONS[partition] ?? 'us-east-1';
}

/** The partition a region belongs to, from its name (for ARNs built from a region). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}
