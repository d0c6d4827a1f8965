import type { IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import type { CheckContext, DetailValue, Evaluation, FailInput, ResourceRef, Severity } from '../audit/types.js';
import { partitionOfRegion } from '../aws/partition.js';
import { ownedElsewhere } from './ec2-resources.js';
import type { Thresholds } from '../config.js';
import { resourceTags } from './resource-tags.js';

/**
 * Shared by the ec2.sg-* checks: a security group's inbound rules reduced to
 * the ones open to the whole internet, one entry per rule and /0 CIDR.
 */

/** Normalised protocol: AWS accepts names or IANA numbers; `-1` is every protocol; other numbers are kept. */
export type Protocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | '-1' | (string & {});

export interface OpenIngress {
  protocol: Protocol;
  /** tcp/udp: first port; `-1` (all protocols): 0; icmp/icmpv6: the ICMP type (-1 = any); other protocols: -1 (no ports). */
  fromPort: number;
  /** tcp/udp: last port; `-1`: 65535; icmp/icmpv6: the ICMP code (-1 = any); other protocols: -1. */
  toPort: number;
  /** `0.0.0.0/0` or `::/0`, as AWS wrote it. */
  cidr: string;
  /** The rule's description (attacker-controlled text), raw. */
  ruleDescription: string | null;
}

const PROTOCOL_NAMES: Record<string, Protocol> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

export function normaliseProtocol(ipProtocol: string | undefined): Protocol {
  // AWS always names the protocol; without one, assume the worst (every protocol).
  const p = (ipProtocol ?? '-1').trim().toLowerCase();
  return PROTOCOL_NAMES[p] ?? p;
}

const hasPorts = (protocol: Protocol): boolean => protocol === 'tcp' || protocol === 'udp';

/** A CIDR whose prefix length is 0: every address of its family. */
function isWorldCidr(cidr: string | undefined): cidr is string {
  return cidr !== undefined && cidr.trim().split('/')[1] === '0';
}

function portRange(protocol: Protocol, permission: IpPermission): { fromPort: number; toPort: number } {
  if (protocol === '-1') return { fromPort: 0, toPort: 65535 };
  // A tcp/udp rule always carries its ports; if one is missing, assume the worst rather than pass it.
  if (hasPorts(protocol)) return { fromPort: permission.FromPort ?? 0, toPort: permission.ToPort ?? 65535 };
  if (protocol === 'icmp' || protocol === 'icmpv6') return { fromPort: permission.FromPort ?? -1, toPort: permission.ToPort ?? -1 };
  // Other IP protocols (ESP, GRE, ...) have no ports: AWS allows the whole protocol whatever range is given.
  return { fromPort: -1, toPort: -1 };
}

/**
 * The group's world-open inbound rules: one entry per (permission, /0 CIDR).
 * Prefix lists and references to other security groups are not the internet,
 * and neither is any narrower CIDR.
 */
export function openIngress(group: SecurityGroup): OpenIngress[] {
  const out: OpenIngress[] = [];
  for (const permission of group.IpPermissions ?? []) {
    const protocol = normaliseProtocol(permission.IpProtocol);
    const ports = portRange(protocol, permission);
    const ranges = [
      ...(permission.IpRanges ?? []).map((r) => ({ cidr: r.CidrIp, description: r.Description })),
      ...(permission.Ipv6Ranges ?? []).map((r) => ({ cidr: r.CidrIpv6, description: r.Description })),
    ];
    for (const range of ranges) {
      if (!isWorldCidr(range.cidr)) continue;
      out.push({ protocol, ...ports, cidr: range.cidr, ruleDescription: range.description ?? null });
    }
  }
  return out;
}

/** The region's security groups by id: what a database or load balancer names. */
export function groupsById(groups: readonly SecurityGroup[]): ReadonlyMap<string, SecurityGroup> {
  return new Map(groups.filter((g) => g.GroupId).map((g) => [g.GroupId!, g]));
}

/** Every port of every protocol, or every tcp/udp port (port 0 is reserved: 1-65535 is all ports too). */
export function coversAllPorts(rule: OpenIngress): boolean {
  return rule.protocol === '-1' || (hasPorts(rule.protocol) && rule.fromPort <= 1 && rule.toPort >= 65535);
}

/** Whether the rule reaches a port at all (ICMP and protocols such as ESP have none). */
export function reachesPorts(rule: OpenIngress): boolean {
  return rule.protocol === '-1' || hasPorts(rule.protocol);
}

/** The ports of `ports` this rule exposes, ascending and without repeats. */
export function portsCovered(rule: OpenIngress, ports: readonly number[]): number[] {
  if (!reachesPorts(rule)) return [];
  return [...new Set(ports)].filter((p) => p >= rule.fromPort && p <= rule.toPort).sort((a, b) => a - b);
}

export interface RiskyExposure {
  /** The risky ports the rule exposes, ascending. */
  ports: number[];
  /** The worst tier among them. */
  tier: 'critical' | 'high';
}

/** The risky ports (by the configured tiers) a rule exposes, or undefined when it exposes none. */
export function riskyPortsCovered(rule: OpenIngress, riskyPorts: Thresholds['riskyPorts']): RiskyExposure | undefined {
  const critical = portsCovered(rule, riskyPorts.critical);
  const high = portsCovered(rule, riskyPorts.high);
  if (critical.length === 0 && high.length === 0) return undefined;
  return { ports: [...new Set([...critical, ...high])].sort((a, b) => a - b), tier: critical.length > 0 ? 'critical' : 'high' };
}

/** Whether every port the rule opens is in `allowed` (a rule without ports never is). */
export function withinAllowedPorts(rule: OpenIngress, allowed: readonly number[]): boolean {
  if (!hasPorts(rule.protocol)) return false;
  return portsCovered(rule, allowed).length === rule.toPort - rule.fromPort + 1;
}

const BUMP: Record<Severity, Severity> = { info: 'low', low: 'medium', medium: 'high', high: 'critical', critical: 'critical' };

/** A group attached to a network interface already lets traffic in: one tier worse. */
export function inUseSeverity(severity: Severity, inUse: boolean): Severity {
  return inUse ? BUMP[severity] : severity;
}

/** Distinguishes the findings of one group: same rule and CIDR, same fingerprint across scans. */
export function ingressSubKey(rule: OpenIngress): string {
  return `${rule.protocol}:${rule.fromPort}-${rule.toPort}:${rule.cidr}`;
}

/** `tcp 22`, `tcp 8000-8100`, `udp all ports`, `all traffic`, `icmp type 8`, `protocol 50`. */
export function describeRange(rule: OpenIngress): string {
  const { protocol, fromPort, toPort } = rule;
  if (protocol === '-1') return 'all traffic';
  if (hasPorts(protocol)) {
    if (coversAllPorts(rule)) return `${protocol} all ports`;
    return fromPort === toPort ? `${protocol} ${fromPort}` : `${protocol} ${fromPort}-${toPort}`;
  }
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    // For ICMP, FromPort is the type and ToPort the code; -1 means any.
    if (fromPort === -1) return `${protocol} all types`;
    return toPort === -1 ? `${protocol} type ${fromPort}` : `${protocol} type ${fromPort} code ${toPort}`;
  }
  return `protocol ${protocol}`;
}

/** `22, 3389, 5432 and 4 more`: a readable list for one-line messages. */
export function listPorts(ports: readonly number[], max = 8): string {
  if (ports.length <= max) return ports.join(', ');
  return `${ports.slice(0, max).join(', ')} and ${ports.length - max} more`;
}

/** `attached to 3 network interfaces` / `not attached to any network interface`. */
export function describeUse(networkInterfaces: number): string {
  if (networkInterfaces === 0) return 'not attached to any network interface';
  return `attached to ${networkInterfaces} network interface${networkInterfaces === 1 ? '' : 's'}`;
}

/** The group as a finding's resource; the ARN as AWS returns it (newer API versions), else built from the owner. */
export function securityGroupResource(group: SecurityGroup, region: string): ResourceRef {
  const id = group.GroupId ?? '';
  const arn = group.SecurityGroupArn ?? (group.OwnerId ? `arn:${partitionOfRegion(region)}:ec2:${region}:${group.OwnerId}:security-group/${id}` : undefined);
  return { type: 'AWS::EC2::SecurityGroup', id, ...(arn ? { arn } : {}), ...resourceTags(group.Tags) };
}

/** `sg-0abc (web-public)`: id first, the (attacker-chosen) name raw. */
export function groupLabel(group: SecurityGroup): string {
  return group.GroupName ? `${group.GroupId} (${group.GroupName})` : `${group.GroupId}`;
}

/** The group and rule, as a finding's details name them (the revoke action finds the rule by protocol, ports and CIDR). */
export function ruleDetails(group: SecurityGroup, rule: OpenIngress): Record<string, DetailValue> {
  return {
    groupId: group.GroupId ?? null,
    groupName: group.GroupName ?? null,
    vpcId: group.VpcId ?? null,
    protocol: rule.protocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidr: rule.cidr,
    ruleDescription: rule.ruleDescription,
  };
}

/** The CIS v5.0 control a world-open rule breaks: 5.3 for 0.0.0.0/0, 5.4 for ::/0. */
export function cisControlOf(rule: Pick<OpenIngress, 'cidr'>): '5.3' | '5.4' {
  return rule.cidr.includes(':') ? '5.4' : '5.3';
}

/** The facts every open-ingress finding of the ec2.sg-* checks carries. */
export function ingressDetails(group: SecurityGroup, rule: OpenIngress, networkInterfaces: number): Record<string, DetailValue> {
  return { ...ruleDetails(group, rule), inUse: networkInterfaces > 0, networkInterfaces };
}

/**
 * The loop the world-open rule checks share: every group, every world-open
 * rule; `judge` returns what to report of a rule (or nothing). A group with
 * nothing to report passes. Resource, sub-key and the common details are
 * filled in here.
 */
export async function judgeOpenIngress(
  ctx: CheckContext,
  judge: (rule: OpenIngress, group: SecurityGroup, networkInterfaces: number) => Omit<FailInput, 'resource' | 'subKey'> | undefined,
): Promise<Evaluation[]> {
  const groups = await ctx.inventory.get('ec2.securityGroups');
  const use = await ctx.inventory.get('ec2.securityGroupUse');
  const out: Evaluation[] = [];
  for (const group of groups) {
    if (!group.GroupId || ownedElsewhere(group.OwnerId, ctx.account.accountId)) continue;
    const interfaces = use.get(group.GroupId) ?? 0;
    const findings: Evaluation[] = [];
    for (const rule of openIngress(group)) {
      const verdict = judge(rule, group, interfaces);
      if (!verdict) continue;
      findings.push(
        ctx.fail({
          ...verdict,
          resource: securityGroupResource(group, ctx.region),
          subKey: ingressSubKey(rule),
          details: { ...ingressDetails(group, rule, interfaces), ...verdict.details },
        }),
      );
    }
    out.push(...(findings.length > 0 ? findings : [ctx.pass(group.GroupId)]));
  }
  return out;
}
