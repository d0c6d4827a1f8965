import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EFSClient } from '@aws-sdk/client-efs';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NODE_APP_ID_CONFIG_OPTIONS } from '@aws-sdk/core/client';
import { NODE_AUTH_SCHEME_PREFERENCE_OPTIONS } from '@aws-sdk/core/httpAuthSchemes';
import { loadConfig, NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS } from '@smithy/core/config';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentityProvider, HttpHandlerOptions } from '@smithy/types';
import PQueue from 'p-queue';
import { boundedClientConfig, DEFAULT_TIMEOUTS, type HttpTimeouts } from './timeouts.js';
import { deadlineError, transportError } from './transport-errors.js';
import { withLiteralHostEndpoints } from './s3control.js';

export interface AwsClientsOptions {
  /** Omitted: the SDK's default chain (the CLI's own credentials). */
  credentials?: AwsCredentialIdentityProvider;
  /** Region for global services (IAM) and region discovery. */
  homeRegion: string;
  /**
   * Most AWS calls in flight at once to one service in one region (EC2 in
   * eu-west-1, IAM): AWS throttles per account, service and region, so that
   * is the unit to bound; twenty regions are audited side by side. The whole
   * audit has at most `TOTAL_FACTOR` times as many in flight (sockets, memory).
   */
  concurrency: number;
  env?: NodeJS.ProcessEnv;
  maxAttempts?: number;
  /** Limits of every HTTP attempt; default {@link DEFAULT_TIMEOUTS}. */
  timeouts?: HttpTimeouts;
  /** Aborted at the audit's deadline: calls in flight end, queued ones never start. */
  signal?: AbortSignal;
}

/** The audit's calls in flight, all endpoints together, are bounded at this multiple of the per-endpoint bound. */
export const TOTAL_FACTOR = 4;

/** Queue priority of per-resource bulk reads: below everything else. */
const BULK_PRIORITY = -1;

interface SendingClient {
  send(command: object, ...rest: unknown[]): Promise<unknown>;
  middlewareStack: { remove(name: string): boolean };
}

/**
 * Builds the SDK clients of one audit (one account): shared credentials,
 * standard-mode retries, one client per service and region, every call counted
 * and the number in flight bounded. Checks never see this; datasets do.
 */
export class AwsClients {
  private readonly clients = new Map<string, unknown>();
  /** One queue per service endpoint (`ec2@eu-west-1`). */
  private readonly queues = new Map<string, PQueue>();
  /** Every call also passes this one: the bound on the audit as a whole. */
  private readonly total: PQueue;
  private readonly env: NodeJS.ProcessEnv;
  private readonly calls = new Map<string, number>();
  /** Operations waiting for AWS now (`ec2:DescribeInstances@eu-west-1`), to say what an audit was stuck on. */
  private readonly pending = new Map<string, number>();
  private httpAttempts = 0;
  private inFlight = 0;
  /** The most calls that were ever in flight at once, all endpoints together (for tests and the benchmark). */
  peakInFlight = 0;

  private readonly timeouts: HttpTimeouts;
  private readonly http: AuditHttpHandler;
  /**
   * What every client would otherwise look up on its own at its first call
   * (the environment, then ~/.aws/config, an error thrown at each miss): FIPS
   * and dual-stack endpoints, the auth scheme preference, the user agent's
   * app id. Read once per audit, with the SDK's own loaders and precedence.
   */
  private readonly settings = {
    useFipsEndpoint: loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS),
    useDualstackEndpoint: loadConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS),
    authSchemePreference: loadConfig(NODE_AUTH_SCHEME_PREFERENCE_OPTIONS),
    userAgentAppId: loadConfig(NODE_APP_ID_CONFIG_OPTIONS),
  };

  constructor(private readonly options: AwsClientsOptions) {
    this.env = options.env ?? process.env;
    this.total = new PQueue({ concurrency: options.concurrency * TOTAL_FACTOR });
    this.timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
    this.http = new AuditHttpHandler(this.timeouts, options.concurrency * TOTAL_FACTOR, options.signal);
  }

  get homeRegion(): string {
    return this.options.homeRegion;
  }

  iam(): IAMClient {
    return this.make('iam', this.options.homeRegion, (config) => new IAMClient(config));
  }

  ec2(region: string): EC2Client {
    return this.make('ec2', region, (config) => new EC2Client(config));
  }

  /**
   * `bulk`: for reads made once per resource (four per bucket), which could
   * otherwise fill the region's S3 queue for seconds ahead of a one-off call.
   * Bulk calls share the endpoint's bound but go after every other call
   * waiting for it.
   */
  s3(region: string, options: { bulk?: boolean } = {}): S3Client {
    // LocalStack and moto serve every bucket on one host: virtual-hosted names would not resolve.
    const forcePathStyle = Boolean(this.env.AWS_ENDPOINT_URL || this.env.AWS_ENDPOINT_URL_S3);
    return this.make('s3', region, (config) => new S3Client({ ...config, forcePathStyle }), options.bulk ? BULK_PRIORITY : 0);
  }

  /** S3 Control (account-level settings such as Block Public Access), in the home region. */
  s3control(): S3ControlClient {
    return this.make('s3control', this.options.homeRegion, (config) => withLiteralHostEndpoints(new S3ControlClient(config)));
  }

  cloudtrail(region: string): CloudTrailClient {
    return this.make('cloudtrail', region, (config) => new CloudTrailClient(config));
  }

  rds(region: string, options: { bulk?: boolean } = {}): RDSClient {
    return this.make('rds', region, (config) => new RDSClient(config), options.bulk ? BULK_PRIORITY : 0);
  }

  efs(region: string): EFSClient {
    return this.make('efs', region, (config) => new EFSClient(config));
  }

  kms(region: string, options: { bulk?: boolean } = {}): KMSClient {
    return this.make('kms', region, (config) => new KMSClient(config), options.bulk ? BULK_PRIORITY : 0);
  }

  /** Classic load balancers. */
  elb(region: string): ElasticLoadBalancingClient {
    return this.make('elb', region, (config) => new ElasticLoadBalancingClient(config));
  }

  /** Application, Network and Gateway load balancers; `bulk` for the per-load-balancer reads. */
  elbv2(region: string, options: { bulk?: boolean } = {}): ElasticLoadBalancingV2Client {
    return this.make('elbv2', region, (config) => new ElasticLoadBalancingV2Client(config), options.bulk ? BULK_PRIORITY : 0);
  }

  /** Route 53 is global: its endpoint is the partition's home region. */
  route53(): Route53Client {
    return this.make('route53', this.options.homeRegion, (config) => new Route53Client(config));
  }

  /** CloudFront is global: its endpoint is the partition's home region. */
  cloudfront(): CloudFrontClient {
    return this.make('cloudfront', this.options.homeRegion, (config) => new CloudFrontClient(config));
  }

  config(region: string): ConfigServiceClient {
    return this.make('config', region, (config) => new ConfigServiceClient(config));
  }

  cloudwatch(region: string): CloudWatchClient {
    return this.make('cloudwatch', region, (config) => new CloudWatchClient(config));
  }

  logs(region: string): CloudWatchLogsClient {
    return this.make('logs', region, (config) => new CloudWatchLogsClient(config));
  }

  sns(region: string): SNSClient {
    return this.make('sns', region, (config) => new SNSClient(config));
  }

  accessanalyzer(region: string): AccessAnalyzerClient {
    return this.make('accessanalyzer', region, (config) => new AccessAnalyzerClient(config));
  }

  /** AWS Organizations answers in the partition's home region (us-east-1 for aws). */
  organizations(): OrganizationsClient {
    return this.make('organizations', this.options.homeRegion, (config) => new OrganizationsClient(config));
  }

  securityhub(region: string): SecurityHubClient {
    return this.make('securityhub', region, (config) => new SecurityHubClient(config));
  }

  /**
   * AWS API calls made so far, in all and by `service:Operation`, and the HTTP
   * attempts they took (the SDK retries throttling, 5xx and resets).
   */
  callCount(): { total: number; byOperation: Record<string, number>; httpAttempts: number; retries: number } {
    let total = 0;
    const byOperation: Record<string, number> = {};
    for (const [op, n] of [...this.calls].sort(([a], [b]) => a.localeCompare(b))) {
      byOperation[op] = n;
      total += n;
    }
    const httpAttempts = Math.max(this.httpAttempts, total);
    return { total, byOperation, httpAttempts, retries: httpAttempts - total };
  }

  /** Counts the HTTP attempts of a call made outside these clients. */
  countAttempts(attempts: number): void {
    this.httpAttempts += attempts;
  }

  /** The operations still waiting for an answer, most waited-on first. */
  pendingOperations(): string[] {
    return [...this.pending].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([op, n]) => (n > 1 ? `${op} (×${n})` : op));
  }

  /** Counts a call made outside these clients (the AssumeRole that opened the session). */
  countCall(operation: string): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
  }

  private queue(endpoint: string): PQueue {
    let queue = this.queues.get(endpoint);
    if (!queue) {
      queue = new PQueue({ concurrency: this.options.concurrency });
      this.queues.set(endpoint, queue);
    }
    return queue;
  }

  /**
   * Closes the audit's idle connections (a bot runs many audits; each one's
   * sockets go with it). Calls still in flight end as the deadline ends them.
   */
  destroy(): void {
    this.http.destroy();
  }

  /**
   * One SDK client per service and region, whatever the priority: building a
   * client (its configuration providers, its middleware stack) costs as much
   * CPU as a dozen calls, and an audit of 25 regions builds hundreds. A
   * priority other than 0 is a view of that client whose calls queue behind.
   */
  private make<C extends SendingClient>(service: string, region: string, create: (config: ClientConfig) => C, priority = 0): C {
    const key = `${service}@${region}`;
    let entry = this.clients.get(key) as { client: C; send: SendingClient['send']; views: Map<number, C> } | undefined;
    if (!entry) {
      const client = create({
        region,
        ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
        ...boundedClientConfig(this.timeouts, this.options.maxAttempts ?? 5),
        requestHandler: this.http,
        ...this.settings,
        // The middleware stack of a command is resolved once per client, not at every call.
        cacheMiddleware: true,
      });
      // The SDK's logger middleware filters every input and output, by schema, for its no-op logger: a walk of
      // each whole answer (300 instances of DescribeInstances) that nobody reads. The bot logs its own way.
      client.middlewareStack.remove('loggerMiddleware');
      entry = { client, send: client.send.bind(client), views: new Map() };
      this.clients.set(key, entry);
    }
    let view = entry.views.get(priority);
    if (!view) {
      view = priority === 0 ? entry.client : (Object.create(entry.client) as C);
      const send = entry.send;
      // Own property: the SDK client's prototype (and test mocks installed on it) stay as they are.
      Object.defineProperty(view, 'send', {
        value: (command: object) => this.send(service, region, priority, send, command),
        writable: true,
        configurable: true,
      });
      entry.views.set(priority, view);
    }
    return view;
  }

  private send(service: string, region: string, priority: number, send: SendingClient['send'], command: object): Promise<unknown> {
    const operation = `${service}:${command.constructor.name.replace(/Command$/, '')}`;
    this.countCall(operation);
    const where = `${operation}@${region}`;
    const { signal } = this.options;
    const timeouts = this.timeouts;
    const call = async () => {
      if (signal?.aborted) throw deadlineError(operation, signal);
      this.inFlight++;
      this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
      this.pending.set(where, (this.pending.get(where) ?? 0) + 1);
      try {
        // No per-call options: the SDK reuses the resolved middleware only for calls without them (the
        // deadline's abort signal reaches every HTTP attempt through the request handler instead).
        const output = (await send(command)) as { $metadata?: { attempts?: number } };
        this.httpAttempts += output?.$metadata?.attempts ?? 1;
        return output;
      } catch (error) {
        this.httpAttempts += (error as { $metadata?: { attempts?: number } })?.$metadata?.attempts ?? 1;
        if (signal?.aborted) throw deadlineError(operation, signal, error);
        throw transportError(error, timeouts, region);
      } finally {
        this.inFlight--;
        const left = (this.pending.get(where) ?? 1) - 1;
        if (left > 0) this.pending.set(where, left);
        else this.pending.delete(where);
      }
    };
    // The endpoint's slot first, then one of the audit's: a busy region cannot take every slot of the audit.
    return this.queue(`${service}@${region}`).add(() => this.total.add(call, { priority }), { priority });
  }
}

type ClientConfig = { region: string; credentials?: AwsCredentialIdentityProvider; cacheMiddleware: boolean } & Omit<
  ReturnType<typeof boundedClientConfig>,
  'requestHandler'
> & {
    requestHandler: AuditHttpHandler;
    useFipsEndpoint: () => Promise<boolean>;
    useDualstackEndpoint: () => Promise<boolean>;
    authSchemePreference: () => Promise<string[]>;
    userAgentAppId: () => Promise<string | undefined>;
  };

/**
 * The HTTP of one audit, shared by all its clients: one keep-alive pool per
 * endpoint host (a Classic and a v2 load balancer client of a region, or a
 * bucket read and a listing, reuse each other's connections), the timeouts
 * of every attempt, and the audit's deadline, which aborts what is in flight.
 */
class AuditHttpHandler {
  private readonly inner: NodeHttpHandler;
  private readonly agents: { http: HttpAgent; https: HttpsAgent };

  constructor(
    timeouts: HttpTimeouts,
    maxSockets: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.agents = { http: new HttpAgent({ keepAlive: true, maxSockets }), https: new HttpsAgent({ keepAlive: true, maxSockets }) };
    this.inner = new NodeHttpHandler({ ...boundedClientConfig(timeouts).requestHandler, httpAgent: this.agents.http, httpsAgent: this.agents.https });
  }

  get metadata() {
    return this.inner.metadata;
  }

  handle(request: Parameters<NodeHttpHandler['handle']>[0], options: HttpHandlerOptions = {}) {
    return this.inner.handle(request, this.signal && !options.abortSignal ? { ...options, abortSignal: this.signal } : options);
  }

  updateHttpClientConfig(key: Parameters<NodeHttpHandler['updateHttpClientConfig']>[0], value: Parameters<NodeHttpHandler['updateHttpClientConfig']>[1]): void {
    this.inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs() {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
    this.inner.destroy();
  }
}
