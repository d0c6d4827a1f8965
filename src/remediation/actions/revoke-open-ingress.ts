import { describeRange, groupLabel, openIngress, type OpenIngress } from '../../rules/security-group-ingress.js';
import { awsErrorCode, namedError } from '../../errors.js';
import type { RemediationAction, RemediationClients } from '../types.js';
import type { IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';

/** The SDK loads with the first fix applied, not with the bot (whose Slack side lists the fixes from the start). */
const sdk = () => import('../sdk.js');

/**
 * `ec2.revoke-open-ingress`: removes one world-open CIDR (0.0.0.0/0 or ::/0)
 * from one inbound rule of one security group, and nothing else: the rule's
 * other sources, the group's other rules stay. Undo authorizes exactly that
 * CIDR again, with its description.
 *
 * The rule is matched the way the checks derived it (`openIngress` of
 * checks/ec2/ingress.ts): normalised protocol, then fromPort/toPort as the
 * check computed them (0-65535 for all traffic, the ICMP type/code, -1 for
 * portless protocols), then the CIDR exactly as AWS wrote it.
 */

const APPLIES_TO: readonly string[] = ['ec2.sg-risky-ports', 'ec2.sg-open-all'];

type Ec2Client = ReturnType<RemediationClients['ec2']>;

/** What identifies the rule across reads: the finding's details. */
interface RuleKey {
  protocol: string;
  fromPort: number;
  toPort: number;
  cidr: string;
}

/** The one permission to revoke, in the request shape; JSON-serialisable. */
interface PermissionState {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp: string; Description?: string }[];
  Ipv6Ranges?: { CidrIpv6: string; Description?: string }[];
}

interface RevokeState {
  groupId: string;
  region: string;
  permission: PermissionState;
}

const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

function malformedState(why: string): Error {
  return namedError('MalformedRemediationState', `the recorded state of ec2.revoke-open-ingress is malformed: ${why}`);
}

function ruleKeyOf(details: Readonly<Record<string, unknown>>): RuleKey | undefined {
  const { protocol, fromPort, toPort, cidr } = details;
  if (typeof protocol !== 'string' || typeof fromPort !== 'number' || typeof toPort !== 'number' || typeof cidr !== 'string') return undefined;
  return { protocol, fromPort, toPort, cidr };
}

const sameRule = (rule: OpenIngress, key: RuleKey): boolean =>
  rule.protocol === key.protocol && rule.fromPort === key.fromPort && rule.toPort === key.toPort && rule.cidr === key.cidr;

/** The rule as the check saw it, and the exact permission (that one CIDR entry only) to revoke it. */
function findRule(group: SecurityGroup, key: RuleKey): { rule: OpenIngress; permission: PermissionState } | undefined {
  for (const p of group.IpPermissions ?? []) {
    // One permission at a time, through the checks' own derivation: compares like with like.
    const rule = openIngress({ IpPermissions: [p] }).find((r) => sameRule(r, key));
    if (!rule) continue;
    const base: PermissionState = {
      IpProtocol: p.IpProtocol ?? '-1',
      ...(p.FromPort !== undefined ? { FromPort: p.FromPort } : {}),
      ...(p.ToPort !== undefined ? { ToPort: p.ToPort } : {}),
    };
    const v4 = p.IpRanges?.find((r) => r.CidrIp === key.cidr);
    if (v4)
      return { rule, permission: { ...base, IpRanges: [{ CidrIp: key.cidr, ...(v4.Description !== undefined ? { Description: v4.Description } : {}) }] } };
    const v6 = p.Ipv6Ranges?.find((r) => r.CidrIpv6 === key.cidr);
    if (v6)
      return { rule, permission: { ...base, Ipv6Ranges: [{ CidrIpv6: key.cidr, ...(v6.Description !== undefined ? { Description: v6.Description } : {}) }] } };
  }
  return undefined;
}

/** The group, or undefined when it no longer exists. */
async function describeGroup(ec2: Ec2Client, groupId: string): Promise<SecurityGroup | undefined> {
  try {
    const answer = await ec2.send(new (await sdk()).DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    return answer.SecurityGroups?.find((g) => g.GroupId === groupId);
  } catch (error) {
    if (awsErrorCode(error) === 'InvalidGroup.NotFound') return undefined;
    throw error;
  }
}

function isRangeList<T extends object>(value: unknown, field: keyof T & string): value is T[] {
  return (
    Array.isArray(value) &&
    value.length === 1 &&
    value.every((r) => typeof r === 'object' && r !== null && typeof (r as Record<string, unknown>)[field] === 'string')
  );
}

function parseState(state: Record<string, unknown>): RevokeState {
  const { groupId, region, permission } = state;
  if (typeof groupId !== 'string' || groupId === '') throw malformedState('no groupId');
  if (typeof region !== 'string' || region === '') throw malformedState('no region');
  if (typeof permission !== 'object' || permission === null) throw malformedState('no permission');
  const p = permission as Record<string, unknown>;
  if (typeof p.IpProtocol !== 'string') throw malformedState('the permission has no IpProtocol');
  for (const port of ['FromPort', 'ToPort'] as const) {
    if (p[port] !== undefined && typeof p[port] !== 'number') throw malformedState(`the permission's ${port} is not a number`);
  }
  const v4 = p.IpRanges !== undefined;
  const v6 = p.Ipv6Ranges !== undefined;
  // Exactly one CIDR, of one family: anything else was not written by precheck.
  if (v4 === v6) throw malformedState('the permission must carry exactly one of IpRanges and Ipv6Ranges');
  if (v4 && !isRangeList<{ CidrIp: string }>(p.IpRanges, 'CidrIp')) throw malformedState('IpRanges must hold exactly one CidrIp');
  if (v6 && !isRangeList<{ CidrIpv6: string }>(p.Ipv6Ranges, 'CidrIpv6')) throw malformedState('Ipv6Ranges must hold exactly one CidrIpv6');
  return { groupId, region, permission: permission as PermissionState };
}

/** The key of the permission kept in the state, derived as the checks derive it. */
function keyOfPermission(permission: PermissionState): RuleKey {
  const rule = openIngress({ IpPermissions: [permission] })[0];
  const cidr = permission.IpRanges?.[0]?.CidrIp ?? permission.Ipv6Ranges?.[0]?.CidrIpv6;
  if (!rule || cidr === undefined) throw malformedState('the permission is not a world-open CIDR');
  return { protocol: rule.protocol, fromPort: rule.fromPort, toPort: rule.toPort, cidr };
}

function sentence(range: string, cidr: string, group: string, region: string): string {
  return `Revoke inbound ${range} from ${cidr} on security group ${group} in ${region}`;
}

const revokeOpenIngress: RemediationAction = {
  id: 'ec2.revoke-open-ingress',
  verb: 'Revoke',
  done: 'Revoked',
  appliesTo: APPLIES_TO,
  permissions: ['ec2:DescribeSecurityGroups', 'ec2:RevokeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupIngress'],

  describe(target) {
    const groupId = typeof target.details.groupId === 'string' ? target.details.groupId : target.resourceId;
    const label = typeof target.details.groupName === 'string' && target.details.groupName ? `${groupId} (${target.details.groupName})` : groupId;
    const key = ruleKeyOf(target.details);
    if (!key) return `Revoke the world-open inbound rule of security group ${label} in ${target.region}`;
    return sentence(describeRange({ ...key, ruleDescription: null }), key.cidr, label, target.region);
  },

  async precheck(target, clients) {
    if (!APPLIES_TO.includes(target.checkId)) return refuse(`${target.checkId} findings cannot be fixed by revoking an inbound rule`);
    const groupId = typeof target.details.groupId === 'string' && target.details.groupId ? target.details.groupId : target.resourceId;
    const key = ruleKeyOf(target.details);
    if (!key) return refuse('the finding does not record the rule (protocol, ports and CIDR)');
    if (!target.region || target.region === 'global') return refuse(`the finding does not record the region of security group ${groupId}`);
    const group = await describeGroup(clients.ec2(target.region), groupId);
    if (!group) return refuse(`security group ${groupId} no longer exists in ${target.region}`);
    const found = findRule(group, key);
    const range = describeRange({ ...key, ruleDescription: null });
    if (!found) return refuse(`the rule allowing ${range} from ${key.cidr} is no longer there on security group ${groupLabel(group)}`);
    const state: RevokeState = { groupId, region: target.region, permission: found.permission };
    return { ok: true, change: sentence(describeRange(found.rule), key.cidr, groupLabel(group), target.region), state: { ...state } };
  },

  async apply(state, clients) {
    const { groupId, region, permission } = parseState(state);
    const answer = await clients
      .ec2(region)
      .send(new (await sdk()).RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission as IpPermission] }));
    // EC2 answers an unknown rule with success and lists it here instead of revoking it.
    if (answer.Return === false || (answer.UnknownIpPermissions?.length ?? 0) > 0) {
      throw namedError('RevokeHadNoEffect', `EC2 revoked nothing on security group ${groupId}: the rule was not found`);
    }
  },

  async precheckUndo(state, clients) {
    const { groupId, region, permission } = parseState(state);
    const key = keyOfPermission(permission);
    const group = await describeGroup(clients.ec2(region), groupId);
    if (!group) return refuse(`security group ${groupId} no longer exists in ${region}`);
    if (findRule(group, key))
      return refuse(
        `security group ${groupLabel(group)} allows ${describeRange({ ...key, ruleDescription: null })} from ${key.cidr} again: it was changed since`,
      );
    return { ok: true };
  },

  async undo(state, clients) {
    const { groupId, region, permission } = parseState(state);
    const answer = await clients
      .ec2(region)
      .send(new (await sdk()).AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission as IpPermission] }));
    if (answer.Return === false) throw namedError('AuthorizeHadNoEffect', `EC2 did not restore the rule on security group ${groupId}`);
  },
};

export default revokeOpenIngress;
