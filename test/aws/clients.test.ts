import { GetAccountSummaryCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetBucketLocationCommand } from '@aws-sdk/client-s3';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import { collectPages } from '../../src/aws/paginate.js';

const iam = mockClient(IAMClient);
const credentials = async () => ({ accessKeyId: 'A', secretAccessKey: 'B' });

describe('AwsClients', () => {
  beforeEach(() => iam.reset());

  it('counts every call by service and operation', async () => {
    iam.on(ListUsersCommand).resolves({ Users: [] });
    iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: {} });
    const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 4, env: {} });
    await clients.iam().send(new ListUsersCommand({}));
    await clients.iam().send(new ListUsersCommand({}));
    await clients.iam().send(new GetAccountSummaryCommand({}));
    expect(clients.callCount()).toEqual({ total: 3, byOperation: { 'iam:GetAccountSummary': 1, 'iam:ListUsers': 2 } });
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

  it('reuses one client per service and region, with standard retries', async () => {
    const clients = new AwsClients({ credentials, homeRegion: 'us-east-1', concurrency: 1, env: {} });
    expect(clients.ec2('eu-west-1')).toBe(clients.ec2('eu-west-1'));
    expect(clients.ec2('eu-west-1')).not.toBe(clients.ec2('us-east-1'));
    expect(await clients.ec2('eu-west-1').config.region()).toBe('eu-west-1');
    expect(await clients.iam().config.retryStrategy()).toMatchObject({ mode: 'standard' });
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

describe('collectPages', () => {
  it('follows tokens and stops on one it has already sent', async () => {
    const tokens: (string | undefined)[] = [];
    const pages: Record<string, { items: number[]; next?: string }> = {
      start: { items: [1, 2], next: 'a' },
      a: { items: [3], next: 'b' },
      b: { items: [4], next: 'a' }, // a broken service repeating itself
    };
    const items = await collectPages(async (token) => {
      tokens.push(token);
      const page = pages[token ?? 'start']!;
      return { items: page.items, next: page.next };
    });
    expect(items).toEqual([1, 2, 3, 4]);
    expect(tokens).toEqual([undefined, 'a', 'b']);
  });
});
