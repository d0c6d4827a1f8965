import type { AssumeRoleCommandOutput, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AuditBotError, awsErrorCode, errorMessage } from '../errors.js';
import { boundedClientConfig, DEFAULT_TIMEOUTS, type HttpTimeouts } from './timeouts.js';
import { lazyClient } from './lazy-client.js';
import { homeRegionOf, partitionOfArn } from './partition.js';
import { transportError } from './transport-errors.js';

export interface RoleTarget {
  alias: string;
  roleArn: string;
  externalId?: string | undefined;
}

/** Refresh this long before the temporary credentials expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const SESSION_SECONDS = 3600;

/**
 * The name CloudTrail shows for the audit session: the bot, and who asked
 * (a Slack user id) when someone did.
 */
export function roleSessionName(requester?: string): string {
  const base = requester ? `aws-audit-bot@${requester}` : 'aws-audit-bot';
  return base.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

export type StsClientFactory = (region: string) => Pick<STSClient, 'send'>;

/**
 * STS with the limits of every other audit call: 5 attempts in the SDK's
 * standard mode (throttling is retried, not taken for a denial), and a
 * connect and answer timeout, so a hung endpoint cannot hold an audit.
 */
export function stsClientFactory(timeouts: HttpTimeouts = DEFAULT_TIMEOUTS): StsClientFactory {
  // The client loads with the first role it assumes: a bot that has not audited yet holds no SDK.
  return (region) => lazyClient(async () => new (await import('./sts.js')).STSClient({ region, ...boundedClientConfig(timeouts) }));
}

interface CacheEntry {
  credentials?: AwsCredentialIdentity;
  pending?: Promise<AwsCredentialIdentity>;
}

/**
 * Assumes audit roles with the bot's own credentials (the SDK's default chain)
 * and keeps the temporary credentials per role, external id and session name,
 * refreshing them before they expire. One instance lives as long as the bot.
 */
export class RoleSessions {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly sts = new Map<string, Pick<STSClient, 'send'>>();
  /** AssumeRole calls made so far (counted into each audit's API calls). */
  assumeCalls = 0;
  /** The HTTP attempts those calls took. */
  assumeAttempts = 0;

  private readonly stsFactory: StsClientFactory;

  constructor(
    stsFactory?: StsClientFactory,
    private readonly clock: () => number = Date.now,
    private readonly timeouts: HttpTimeouts = DEFAULT_TIMEOUTS,
  ) {
    this.stsFactory = stsFactory ?? stsClientFactory(timeouts);
  }

  /** A credential provider for SDK clients; the first call assumes the role. */
  provider(target: RoleTarget, sessionName: string): AwsCredentialIdentityProvider {
    const key = JSON.stringify([target.roleArn, target.externalId ?? null, sessionName]);
    return () => {
      let entry = this.cache.get(key);
      if (!entry) {
        entry = {};
        this.cache.set(key, entry);
      }
      const current = entry.credentials;
      if (current && (!current.expiration || current.expiration.getTime() - this.clock() > REFRESH_MARGIN_MS)) {
        return Promise.resolve(current);
      }
      if (entry.pending) return entry.pending;
      const e = entry;
      const pending = this.assume(target, sessionName)
        .then((credentials) => {
          e.credentials = credentials;
          return credentials;
        })
        .finally(() => {
          e.pending = undefined;
        });
      e.pending = pending;
      return pending;
    };
  }

  private stsFor(region: string): Pick<STSClient, 'send'> {
    let client = this.sts.get(region);
    if (!client) {
      client = this.stsFactory(region);
      this.sts.set(region, client);
    }
    return client;
  }

  private async assume(target: RoleTarget, sessionName: string): Promise<AwsCredentialIdentity> {
    const region = homeRegionOf(partitionOfArn(target.roleArn));
    let response: AssumeRoleCommandOutput;
    this.assumeCalls++;
    try {
      const { AssumeRoleCommand } = await import('./sts.js');
      response = await this.stsFor(region).send(
        new AssumeRoleCommand({
          RoleArn: target.roleArn,
          RoleSessionName: sessionName,
          ExternalId: target.externalId,
          DurationSeconds: SESSION_SECONDS,
        }),
      );
      this.assumeAttempts += response.$metadata?.attempts ?? 1;
    } catch (error) {
      this.assumeAttempts += (error as { $metadata?: { attempts?: number } } | null)?.$metadata?.attempts ?? 1;
      throw assumeRoleError(target, transportError(error, this.timeouts));
    }
    const c = response.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new AuditBotError('ASSUME_ROLE_FAILED', `Cannot assume ${target.roleArn} for account "${target.alias}": STS returned no credentials.`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  }
}

function assumeRoleError(target: RoleTarget, error: unknown): AuditBotError {
  const code = awsErrorCode(error);
  const reason = errorMessage(error).split('\n')[0];
  if (code === 'CredentialsProviderError') {
    return new AuditBotError(
      'NO_CREDENTIALS',
      `The bot has no AWS credentials of its own to assume ${target.roleArn} (account "${target.alias}"): ${reason}. ` +
        'Give it credentials through the default chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, or an instance/task role.',
      { cause: error },
    );
  }
  const hint =
    code === 'AccessDenied' || code === 'AccessDeniedException'
      ? ` Check the role's trust policy (it must trust the bot's principal${target.externalId ? ' with this external id' : ''}) and that the bot may call sts:AssumeRole on it.`
      : '';
  return new AuditBotError('ASSUME_ROLE_FAILED', `Cannot assume ${target.roleArn} for account "${target.alias}": ${code ? `${code}: ` : ''}${reason}.${hint}`, {
    cause: error,
  });
}
