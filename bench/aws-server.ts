/**
 * The process benchmark's AWS: an HTTP server on 127.0.0.1 that answers
 * every service the audit calls in that service's own protocol (bench/wire.ts),
 * from one synthetic account (bench/fake-aws.ts), each answer held back until
 * `delayMs` after the request arrived (the fake's own work hides inside that
 * delay). The bot or CLI reaches it through the SDK's endpoint override,
 * AWS_ENDPOINT_URL. It counts calls per operation and keeps when each was in
 * flight, for the idle share of the audit's span.
 */
import http from 'node:http';
import { listenOnLoopback, type Loopback } from '../test/helpers/loopback.js';
import type { FakeAws } from './fake-aws.js';
import { decodeRequest, encodeError, encodeOutput, WireError, type Answer, type DecodedRequest } from './wire.js';

export interface StandInStats {
  calls: number;
  byOperation: Record<string, number>;
  /** From the first request's arrival to the last answer's end, ms. */
  spanMs: number;
  /** Time inside the span with no request in flight, ms. */
  idleMs: number;
  peakInFlight: number;
  /** Per operation: ms from the span's start to its first request's arrival and to its last answer's end. */
  timeline: Record<string, { first: number; last: number }>;
  /** TCP connections the client opened. */
  connections: number;
  /** Requests the stand-in could not serve: a defect of bench/, not a figure. */
  problems: string[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function awsError(error: unknown): { name: string; message: string; status: number } | undefined {
  const e = error as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  if (!e || typeof e.name !== 'string' || !e.$metadata) return undefined;
  return { name: e.name, message: String(e.message ?? ''), status: e.$metadata.httpStatusCode ?? 400 };
}

export class AwsStandIn {
  private server?: http.Server;
  private loopback?: Loopback;
  private fake: FakeAws | undefined;
  private renew: (() => FakeAws) | undefined;
  private counter = 0;
  private inFlight = 0;
  private peak = 0;
  private readonly calls = new Map<string, number>();
  private readonly intervals: [number, number, string][] = [];
  /** Connections the loopback had taken when the counts last started afresh. */
  private connectionsBefore = 0;
  private readonly problems: string[] = [];
  endpoint = '';

  constructor(private readonly delayMs: number) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const arrived = performance.now();
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => void this.answer(req, res, Buffer.concat(chunks).toString(), arrived));
    });
    this.server.keepAliveTimeout = 60_000;
    this.loopback = await listenOnLoopback(this.server);
    this.endpoint = this.loopback.endpoint;
  }

  async stop(): Promise<void> {
    await this.loopback?.stop();
  }

  /** Serve `fake` from now on, with counts and timings afresh. */
  serve(fake: FakeAws): void {
    this.fake = fake;
    this.renew = undefined;
    this.reset();
  }

  /** Serve a fresh account from `make()` to every audit (each starts with AssumeRole), counts afresh too. */
  serveEachAudit(make: () => FakeAws): void {
    this.fake = make();
    this.renew = make;
    this.reset();
  }

  private reset(): void {
    this.connectionsBefore = this.loopback?.connections() ?? 0;
    this.calls.clear();
    this.intervals.length = 0;
    this.problems.length = 0;
    this.peak = 0;
  }

  stats(): StandInStats {
    const sorted = [...this.intervals].sort((a, b) => a[0] - b[0]);
    let idle = 0;
    let reach = sorted[0]?.[0] ?? 0;
    for (const [start, end] of sorted) {
      if (start > reach) idle += start - reach;
      reach = Math.max(reach, end);
    }
    const span = sorted.length ? reach - sorted[0]![0] : 0;
    const byOperation = Object.fromEntries([...this.calls].sort(([a], [b]) => a.localeCompare(b)));
    const origin = sorted[0]?.[0] ?? 0;
    const timeline: StandInStats['timeline'] = {};
    for (const [start, end, operation] of sorted) {
      timeline[operation] ??= { first: start - origin, last: end - origin };
      const t = timeline[operation];
      t.last = Math.max(t.last, end - origin);
    }
    return {
      calls: sorted.length,
      byOperation,
      spanMs: span,
      idleMs: idle,
      peakInFlight: this.peak,
      timeline,
      connections: (this.loopback?.connections() ?? 0) - this.connectionsBefore,
      problems: [...this.problems],
    };
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse, body: string, arrived: number): Promise<void> {
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    const requestId = `standin-${(++this.counter).toString(16).padStart(8, '0')}`;
    let answer: Answer;
    let decoded: DecodedRequest | undefined;
    try {
      decoded = decodeRequest(req.method ?? 'GET', req.url ?? '/', req.headers, body);
      const operation = `${decoded.service.name}:${decoded.operation.name}`;
      if (operation === 'sts:AssumeRole' && this.renew) {
        this.fake = this.renew();
        this.reset();
      }
      this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
      if (!this.fake) throw new WireError('no account is being served', 500);
      const output = await this.fake.respond(operation, decoded.input, decoded.region);
      answer = encodeOutput(decoded, output as Record<string, unknown>, requestId);
    } catch (error) {
      const known = awsError(error);
      if (known) answer = encodeError(decoded?.service, known, requestId);
      else {
        const message = error instanceof Error ? error.message : String(error);
        this.problems.push(`${req.method} ${req.url}: ${message}`);
        answer = encodeError(decoded?.service, { name: 'InternalFailure', message, status: error instanceof WireError ? error.status : 500 }, requestId);
      }
    }
    const wait = arrived + this.delayMs - performance.now();
    if (wait > 0) await sleep(wait);
    const body$ = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body$.length) });
    const operation = decoded ? `${decoded.service.name}:${decoded.operation.name}` : `${req.method} ${req.url}`;
    res.end(body$, () => {
      this.inFlight--;
      this.intervals.push([arrived, performance.now(), operation]);
    });
  }
}
