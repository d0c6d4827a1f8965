import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The Slack side's state as /healthz reports it: HTTP mode listens; Socket Mode's connection comes and goes. */
export type SlackConnectionState = 'listening' | 'connecting' | 'authenticated' | 'connected' | 'reconnecting' | 'disconnecting' | 'disconnected';

export interface HealthSources {
  mode: 'http' | 'socket';
  slack: () => SlackConnectionState;
  /** Set when the database lock was lost: the bot writes nothing more and must be restarted. */
  storeLost: () => Error | undefined;
  auditsRunning: () => number;
  startedAt: Date;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  slack: { mode: 'http' | 'socket'; state: SlackConnectionState };
  store: { state: 'ok' } | { state: 'lock-lost'; error: string };
  auditsRunning: number;
  startedAt: string;
}

/** 200 while the bot can take requests and write its database; 503 otherwise (a liveness probe then restarts it). */
export function healthReport(sources: HealthSources): { code: number; report: HealthReport } {
  const slack = sources.slack();
  const lost = sources.storeLost();
  const slackOk = slack === 'listening' || slack === 'connected';
  const report: HealthReport = {
    status: slackOk && !lost ? 'ok' : 'unhealthy',
    slack: { mode: sources.mode, state: slack },
    store: lost ? { state: 'lock-lost', error: lost.message } : { state: 'ok' },
    auditsRunning: sources.auditsRunning(),
    startedAt: sources.startedAt.toISOString(),
  };
  return { code: report.status === 'ok' ? 200 : 503, report };
}

export const HEALTH_PATH = '/healthz';

/** Answers GET /healthz with the report as JSON (Bolt's custom route in HTTP mode, our own server in Socket Mode). */
export function answerHealth(sources: HealthSources, req: IncomingMessage, res: ServerResponse): void {
  const { code, report } = healthReport(sources);
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : `${JSON.stringify(report)}\n`);
}

/** Socket Mode has no HTTP server of its own: HEALTH_PORT gets one that serves /healthz only. */
export async function startHealthServer(sources: HealthSources, port: number): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) return answerHealth(sources, req, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
