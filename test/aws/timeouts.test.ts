import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetAccountSummaryCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedClientConfig } from '../../src/aws/timeouts.js';

/** Takes every request and never answers. */
let server: http.Server;
let endpoint: string;
const sockets = new Set<import('node:net').Socket>();

beforeAll(async () => {
  server = http.createServer(() => undefined);
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const credentials = { accessKeyId: 'AKIATESTTESTTESTTEST', secretAccessKey: 'x' };

describe('boundedClientConfig on a real SDK client', () => {
  it('ends a call that is never answered, after every attempt timed out', async () => {
    const iam = new IAMClient({ region: 'us-east-1', endpoint, credentials, ...boundedClientConfig({ connectMs: 1_000, requestMs: 300 }, 2) });
    const error = await iam.send(new GetAccountSummaryCommand({})).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: { attempts: 2 } });
  });

  it('is needed: a requestTimeout without throwOnRequestTimeout only warns, and the call goes on waiting', async () => {
    const warnings: string[] = [];
    const iam = new IAMClient({
      region: 'us-east-1',
      endpoint,
      credentials,
      maxAttempts: 1,
      requestHandler: { requestTimeout: 300 },
      logger: { debug() {}, info() {}, warn: (m: string) => warnings.push(String(m)), error() {} },
    });
    const call = iam.send(new GetAccountSummaryCommand({}));
    call.catch(() => undefined);
    const outcome = await Promise.race([
      call.then(
        () => 'answered',
        () => 'failed',
      ),
      new Promise((r) => setTimeout(() => r('still waiting'), 1_500)),
    ]);
    expect(outcome).toBe('still waiting');
    iam.destroy();
  });
});
