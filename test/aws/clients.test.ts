import { GetAccountSummaryCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetBucketAclCommand, GetBucketLocationCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { isLiteralHost } from '../../src/aws/s3control.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsClients, TOTAL_FACTOR } from '../../src/aws/clients.js';
import { collectPages } from '../../src/aws/paginate.js';

const iam = mockClient(IAMClient);
const credentials = async () => ({ accessKeyId: 'A', secretAccessKey: 'B' });

describe('AwsClients', () => {
  beforeEach(() => iam.reset());

  it('builds one client per service and region for RDS, EFS and KMS too, counted like the rest', async () => {
    const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 4, env: {} });
    expect(clients.rds('eu-west-1')).toBe(clients.rds('eu-west-1'));
    expect(clients.rds('eu-west-1')).not.toBe(clients.rds('eu-west-1', { bulk: true }));
    expect(clients.efs('eu-west-1')).toBe(clients.efs('eu-west-1'));
    expect(await clients.kms('eu-west-1').config.region()).toBe('eu-west-1');
    const rds = mockClient(RDSClient);
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
    await clients.rds('us-east-1').send(new DescribeDBInstancesCommand({}));
    rds.restore();
    expect(clients.callCount().byOperation).toEqual({ 'rds:DescribeDBInstances': 1 });
  });

  it('counts every call by service and operation', async () => {
    iam.on(ListUsersCommand).resolves({ Users: [] });
    iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: {} });
    const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 4, env: {} });
    await clients.iam().send(new ListUsersCommand({}));
    await clients.iam().send(new ListUsersCommand({}));
    await clients.iam().send(new GetAccountSummaryCommand({}));
    expect(clients.callCount()).toEqual({ total: 3, byOperation: { 'iam:GetAccountSummary': 1, 'iam:ListUsers': 2 }, httpAttempts: 3, retries: 0 });
  });

  it('never has more calls in flight than the bound', async () => {
    let inFlight = 0;
    let peak = 0;
    iam.on(ListUsersCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { Users: [] };
    });
    const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 3, env: {} });
    await Promise.all(Array.from({ length: 12 }, () => clients.iam().send(new ListUsersCommand({}))));
    expect(peak).toBe(3);
    expect(clients.peakInFlight).toBe(3);
  });

  it('lets other calls to the endpoint overtake waiting bulk reads (per-bucket), within the same bound', async () => {
    const s3 = mockClient(S3Client);
    const order: string[] = [];
    const slow = async (name: string) => {
      order.push(name);
      await new Promise((r) => setTimeout(r, 2));
      return {};
    };
    s3.on(GetBucketAclCommand).callsFake((input: { Bucket: string }) => slow(input.Bucket));
    s3.on(ListBucketsCommand).callsFake(() => slow('ListBuckets'));
    const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 2, env: {} });
    const bulk = Array.from({ length: 6 }, (_, i) => clients.s3('eu-west-1', { bulk: true }).send(new GetBucketAclCommand({ Bucket: `b${i}` })));
    const urgent = clients.s3('eu-west-1').send(new ListBucketsCommand({}));
    await Promise.all([...bulk, urgent]);
    s3.restore();
    // Two bulk reads were already running; the one-off call goes next, ahead of the four still waiting.
    expect(order).toEqual(['b0', 'b1', 'ListBuckets', 'b2', 'b3', 'b4', 'b5']);
    expect(clients.peakInFlight).toBe(2);
    expect(clients.s3('eu-west-1', { bulk: true })).not.toBe(clients.s3('eu-west-1'));
    expect(clients.callCount().byOperation).toEqual({ 's3:GetBucketAcl': 6, 's3:ListBuckets': 1 });
  });

  it('bounds calls per service and region: regions and services do not wait for each other', async () => {
    const ec2 = mockClient(EC2Client);
    const inFlight = new Map<string, number>();
    const peaks = new Map<string, number>();
    ec2.on(DescribeVpcsCommand).callsFake(async (_input, getClient) => {
      const region = await getClient().config.region();
      inFlight.set(region, (inFlight.get(region) ?? 0) + 1);
      peaks.set(region, Math.max(peaks.get(region) ?? 0, inFlight.get(region)!));
      await new Promise((r) => setTimeout(r, 5));
      inFlight.set(region, inFlight.get(region)! - 1);
      return { Vpcs: [] };
    });
    const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 2, env: {} });
    const regions = ['us-east-1', 'eu-west-1', 'ap-south-1'];
    await Promise.all(regions.flatMap((r) => Array.from({ length: 5 }, () => clients.ec2(r).send(new DescribeVpcsCommand({})))));
    ec2.restore();
    expect(Object.fromEntries(peaks)).toEqual({ 'us-east-1': 2, 'eu-west-1': 2, 'ap-south-1': 2 });
    expect(clients.peakInFlight).toBe(6);
  });

  it('bounds the audit as a whole at TOTAL_FACTOR times the per-endpoint bound', async () => {
    const ec2 = mockClient(EC2Client);
    ec2.on(DescribeVpcsCommand).callsFake(async () => (await new Promise((r) => setTimeout(r, 5)), { Vpcs: [] }));
    const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 1, env: {} });
    const regions = Array.from({ length: TOTAL_FACTOR * 3 }, (_, i) => `eu-test-${i + 1}`);
    await Promise.all(regions.flatMap((r) => [1, 2].map(() => clients.ec2(r).send(new DescribeVpcsCommand({})))));
    ec2.restore();
    expect(clients.peakInFlight).toBe(TOTAL_FACTOR);
    expect(clients.callCount().total).toBe(regions.length * 2);
  });

  it('reuses one client per service and region, with standard retries', async () => {
    const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 1, env: {} });
    expect(clients.ec2('eu-west-1')).toBe(clients.ec2('eu-west-1'));
    expect(clients.ec2('eu-west-1')).not.toBe(clients.ec2('us-east-1'));
    expect(await clients.ec2('eu-west-1').config.region()).toBe('eu-west-1');
    expect(await clients.iam().config.retryStrategy()).toMatchObject({ mode: 'standard' });
  });

  it('builds one SDK client per service and region (bulk reads are a view of it), without the logger middleware', async () => {
    const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 1, env: {} });
    const bulk = clients.s3('eu-west-1', { bulk: true });
    expect(bulk).toBeInstanceOf(S3Client);
    expect(bulk.config).toBe(clients.s3('eu-west-1').config);
    expect(bulk.middlewareStack).toBe(clients.s3('eu-west-1').middlewareStack);
    expect(clients.s3('eu-west-1').config.cacheMiddleware).toBe(true);
    expect(clients.ec2('eu-west-1').middlewareStack.identify().join(' ')).not.toContain('loggerMiddleware');
    expect(clients.ec2('eu-west-1').middlewareStack.identify().join(' ')).toContain('retryMiddleware');
  });

  it('shares one keep-alive connection pool between the clients of an audit, and closes it with the audit', async () => {
    let connections = 0;
    const open = new Set<import('node:net').Socket>();
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end('<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><vpcSet/></DescribeVpcsResponse>');
    });
    server.on('connection', (socket) => {
      connections++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
    try {
      const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 1, maxAttempts: 1 });
      for (const region of ['eu-west-1', 'us-east-1', 'eu-west-1', 'ap-south-1']) await clients.ec2(region).send(new DescribeVpcsCommand({}));
      expect(connections).toBe(1);
      expect(open.size).toBe(1);
      clients.destroy();
      await vi.waitFor(() => expect(open.size).toBe(0));
    } finally {
      vi.unstubAllEnvs();
      server.close();
    }
  });

  it('uses path-style S3 addressing when AWS_ENDPOINT_URL is set (LocalStack, moto)', async () => {
    const plain = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 1, env: {} });
    const local = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 1, env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' } });
    expect(plain.s3('us-east-1').config.forcePathStyle).toBe(false);
    expect(local.s3('us-east-1').config.forcePathStyle).toBe(true);
  });

  it('sends S3 requests to an emulator on 127.0.0.1 with the bucket in the path', async () => {
    const seen: { url?: string; host?: string } = {};
    const server = http.createServer((req, res) => {
      seen.url = req.url;
      seen.host = req.headers.host;
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
    try {
      const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 1, maxAttempts: 1 });
      const answer = await clients.s3('us-east-1').send(new GetBucketLocationCommand({ Bucket: 'audit-logs' }));
      expect(answer.LocationConstraint).toBe('eu-west-1');
      expect(seen.host).toBe(endpoint.replace('http://', ''));
      expect(seen.url).toMatch(/^\/audit-logs\/?\?location/);
    } finally {
      vi.unstubAllEnvs();
      server.close();
    }
  });
});

describe('S3 Control endpoints', () => {
  const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });

  async function serve(body: string, status = 200) {
    const seen: { url?: string; host?: string; account?: string; authorization?: string }[] = [];
    const server = http.createServer((req, res) => {
      seen.push({ url: req.url, host: req.headers.host, account: req.headers['x-amz-account-id'] as string, authorization: req.headers.authorization });
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { seen, server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it('reads account-level Block Public Access from an emulator on 127.0.0.1 (no account id prefixed to an IP host)', async () => {
    const { seen, server, endpoint } = await serve(
      '<?xml version="1.0" encoding="UTF-8"?><PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>',
    );
    vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
    try {
      const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 1, maxAttempts: 1 });
      const answer = await clients.s3control().send(new GetPublicAccessBlockCommand({ AccountId: '123456789012' }));
      expect(answer.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: true,
      });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.host).toBe(endpoint.replace('http://', ''));
      expect(seen[0]!.url).toBe('/v20180820/configuration/publicAccessBlock');
      expect(seen[0]!.account).toBe('123456789012');
      expect(seen[0]!.authorization).toContain('/us-east-1/s3/aws4_request');
      expect(clients.callCount().byOperation).toEqual({ 's3control:GetPublicAccessBlock': 1 });
    } finally {
      vi.unstubAllEnvs();
      server.close();
    }
  });

  it('passes the emulator\'s "not configured" answer through as the AWS error code', async () => {
    const { server, endpoint } = await serve(
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>The public access block configuration was not found</Message></Error>',
      404,
    );
    try {
      const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 1, maxAttempts: 1, env: {} });
      vi.stubEnv('AWS_ENDPOINT_URL_S3_CONTROL', endpoint);
      await expect(clients.s3control().send(new GetPublicAccessBlockCommand({ AccountId: '123456789012' }))).rejects.toMatchObject({
        name: 'NoSuchPublicAccessBlockConfiguration',
      });
    } finally {
      vi.unstubAllEnvs();
      server.close();
    }
  });

  it("keeps the SDK's endpoint rules for AWS itself: the account id goes in front of the host", async () => {
    const clients = new AwsClients({ credentials, homeRegion: 'eu-west-1', concurrency: 1, env: {} });
    const provider = (clients.s3control().config as unknown as { endpointProvider: (p: object) => { url: URL } }).endpointProvider;
    const endpoint = provider({ Region: 'eu-west-1', AccountId: '123456789012', RequiresAccountId: true, UseFIPS: false, UseDualStack: false });
    expect(endpoint.url.hostname).toBe('123456789012.s3-control.eu-west-1.amazonaws.com');
  });

  it('treats IPv4, IPv6 and localhost hosts as literal, named hosts not', () => {
    expect(isLiteralHost('127.0.0.1')).toBe(true);
    expect(isLiteralHost('[::1]')).toBe(true);
    expect(isLiteralHost('localhost')).toBe(true);
    expect(isLiteralHost('localhost.localstack.cloud')).toBe(false);
    expect(isLiteralHost('s3-control.eu-west-1.amazonaws.com')).toBe(false);
  });
});

describe('collectPages', () => {
  it('follows tokens, and stops with an error on one it has already sent (the list may be incomplete)', async () => {
    const tokens: (string | undefined)[] = [];
    const pages: Record<string, { items: number[]; next?: string }> = {
      start: { items: [1, 2], next: 'a' },
      a: { items: [3], next: 'b' },
      b: { items: [4], next: 'a' }, // a broken service repeating itself
    };
    const error = await collectPages(async (token) => {
      tokens.push(token);
      const page = pages[token ?? 'start']!;
      return { items: page.items, next: page.next };
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PaginationLoop', message: 'the service repeated pagination token "a" after 4 items: the listing may be incomplete' });
    expect(tokens).toEqual([undefined, 'a', 'b']);
    pages.b!.next = undefined;
    expect(await collectPages(async (token) => ({ items: pages[token ?? 'start']!.items, next: pages[token ?? 'start']!.next }))).toEqual([1, 2, 3, 4]);
  });
});
