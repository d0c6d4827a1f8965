import type { Instance, Tag } from '@aws-sdk/client-ec2';
import type { ResourceRef } from '../audit/types.js';
import { partitionOfRegion } from '../aws/partition.js';
import { resourceTags, type TagList } from './resource-tags.js';

/** Shared by the EC2 and VPC checks: ARNs and tags of EC2 resources. Not a check (no default export). */

/**
 * ARN of an EC2 resource (`instance`, `volume`, `vpc`, `network-acl`, ...).
 * Snapshot ARNs, like AMI ARNs, carry no account id: pass `accountId` ''.
 */
export function ec2Arn(region: string, accountId: string, type: string, id: string): string {
  return `arn:${partitionOfRegion(region)}:ec2:${region}:${accountId}:${type}/${id}`;
}

/** The value of tag `key` (exact, case-sensitive match, as AWS tag keys are), or null when absent. */
export function tagValue(tags: readonly Tag[] | undefined, key: string): string | null {
  return tags?.find((t) => t.Key === key)?.Value ?? null;
}

/** `i-0abc (web-1)` when the resource has a Name tag, else the id. */
export function withName(id: string, tags: readonly Tag[] | undefined): string {
  const name = tagValue(tags, 'Name');
  return name ? `${id} (${name})` : id;
}

/**
 * Owned by another account (a VPC owner sharing subnets, a shared security
 * group): listed here, but only its owner can change it, and the owner's
 * audit judges it.
 */
export function ownedElsewhere(ownerId: string | undefined, accountId: string): boolean {
  return ownerId !== undefined && ownerId !== '' && ownerId !== accountId;
}

/** Instances that serve traffic and metadata now (stopped ones are judged once they run). */
export function runningInstances(instances: readonly Instance[]): (Instance & { InstanceId: string })[] {
  return instances.filter((i): i is Instance & { InstanceId: string } => i.State?.Name === 'running' && Boolean(i.InstanceId));
}

export function instanceResource(region: string, accountId: string, id: string, tags?: TagList): ResourceRef {
  return { type: 'AWS::EC2::Instance', id, arn: ec2Arn(region, accountId, 'instance', id), ...resourceTags(tags) };
}
