/**
 * Slack for the tests: a local Web API that records every call and refuses
 * messages Slack would refuse (Block Kit limits), response_url endpoints,
 * the file upload of files.uploadV2, and signed requests to the app.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  /** What the stub answered. */
  result?: Record<string, unknown>;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
}

type Handler = (args: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata']);

/** What Slack refuses: the reasons, empty when the message is fine. */
export function blockKitViolations(message: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const text = message.text;
  if (typeof text === 'string' && text.length > 40_000) problems.push(`text is ${text.length} characters (> 40,000)`);
  const blocks = message.blocks;
  if (blocks === undefined) return problems;
  if (!Array.isArray(blocks)) return [...problems, 'blocks is not a list'];
  const maxBlocks = message.type === 'home' || message.type === 'modal' ? 100 : 50;
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks (> ${maxBlocks})`);
  const ids = blocks.map((b: Record<string, unknown>) => b.block_id).filter((id): id is string => typeof id === 'string');
  for (const id of new Set(ids)) if (ids.indexOf(id) !== ids.lastIndexOf(id)) problems.push(`block_id ${id} used twice`);
  blocks.forEach((block: Record<string, unknown>, i) => {
    const t = block.text as { text?: string } | undefined;
    if (block.type === 'section') {
      if ((t?.text?.length ?? 0) > 3000) problems.push(`block ${i}: section text of ${t?.text?.length} characters (> 3,000)`);
      for (const f of (block.fields as { text?: string }[] | undefined) ?? [])
        if ((f.text?.length ?? 0) > 2000) problems.push(`block ${i}: a field over 2,000 characters`);
      if (((block.fields as unknown[] | undefined)?.length ?? 0) > 10) problems.push(`block ${i}: more than 10 fields`);
    }
    if (block.type === 'header' && (t?.text?.length ?? 0) > 150) problems.push(`block ${i}: header of ${t?.text?.length} characters (> 150)`);
    if (block.type === 'context') {
      const elements = (block.elements as { text?: string }[] | undefined) ?? [];
      if (elements.length > 10) problems.push(`block ${i}: context with ${elements.length} elements (> 10)`);
      for (const e of elements) if ((e.text?.length ?? 0) > 2000) problems.push(`block ${i}: context element over 2,000 characters`);
    }
    if (block.type === 'section' && block.accessory !== undefined)
      problems.push(...elementViolations(block.accessory as Record<string, unknown>).map((p) => `block ${i}: accessory ${p}`));
    if (block.type === 'input') {
      const label = block.label as { text?: string } | undefined;
      if ((label?.text?.length ?? 0) > 2000) problems.push(`block ${i}: input label over 2,000 characters`);
      if (block.element === undefined) problems.push(`block ${i}: input without an element`);
      else problems.push(...elementViolations(block.element as Record<string, unknown>).map((p) => `block ${i}: input ${p}`));
    }
    if (block.type === 'actions') {
      const elements = (block.elements as { text?: { text?: string }; value?: string; action_id?: string }[] | undefined) ?? [];
      if (elements.length > 25) problems.push(`block ${i}: more than 25 actions`);
      for (const e of elements) {
        if ((e.text?.text?.length ?? 0) > 75) problems.push(`block ${i}: button text over 75 characters`);
        if ((e.value?.length ?? 0) > 2000) problems.push(`block ${i}: button value over 2,000 characters`);
        if ((e.action_id?.length ?? 0) > 255) problems.push(`block ${i}: action_id over 255 characters`);
      }
    }
  });
  return problems;
}

/** What Slack refuses in one interactive element (button, select, date picker, text input). */
function elementViolations(element: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const text = (element.text as { text?: string } | undefined)?.text;
  if ((text?.length ?? 0) > 75) problems.push(`${String(element.type)} text over 75 characters`);
  if (typeof element.action_id === 'string' && element.action_id.length > 255) problems.push('action_id over 255 characters');
  if (element.type === 'button' && typeof element.value === 'string' && element.value.length > 2000) problems.push('button value over 2,000 characters');
  if (element.type === 'static_select') {
    const groups = (element.option_groups as { label?: { text?: string }; options?: { text?: { text?: string }; value?: string }[] }[] | undefined) ?? [];
    if (element.options !== undefined && element.option_groups !== undefined) problems.push('static_select with both options and option_groups');
    for (const g of groups) if ((g.label?.text?.length ?? 0) > 75) problems.push('option group label over 75 characters');
    const options = [...((element.options as { text?: { text?: string }; value?: string }[] | undefined) ?? []), ...groups.flatMap((g) => g.options ?? [])];
    if (options.length === 0) problems.push('static_select without options');
    if (options.length > 100) problems.push(`static_select with ${options.length} options (> 100)`);
    const values = options.map((o) => o.value);
    if (new Set(values).size !== values.length) problems.push('static_select with duplicate option values');
    for (const o of options) {
      if ((o.text?.text?.length ?? 0) > 75) problems.push('option text over 75 characters');
      if ((o.value?.length ?? 0) > 150) problems.push('option value over 150 characters');
    }
    if (((element.placeholder as { text?: string } | undefined)?.text?.length ?? 0) > 150) problems.push('placeholder over 150 characters');
  }
  if (element.type === 'datepicker' && element.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(element.initial_date)))
    problems.push('datepicker initial_date not YYYY-MM-DD');
  if (element.type === 'plain_text_input' && typeof element.max_length === 'number' && element.max_length > 3000)
    problems.push('plain_text_input max_length over 3,000');
  return problems;
}

/** What Slack refuses in a modal view (views.open/update/push). */
export function viewViolations(view: Record<string, unknown>): string[] {
  const problems = blockKitViolations(view);
  const title = (view.title as { text?: string } | undefined)?.text ?? '';
  if (title.length === 0 || title.length > 24) problems.push(`modal title of ${title.length} characters (1-24)`);
  for (const key of ['submit', 'close'] as const) {
    const t = (view[key] as { text?: string } | undefined)?.text;
    if (t !== undefined && t.length > 24) problems.push(`modal ${key} over 24 characters`);
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) problems.push('private_metadata over 3,000 characters');
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) problems.push('callback_id over 255 characters');
  const inputs = ((view.blocks as Record<string, unknown>[] | undefined) ?? []).some((b) => b.type === 'input');
  if (inputs && view.submit === undefined) problems.push('a modal with inputs needs a submit button');
  return problems;
}

const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.update']);

export class SlackStub {
  readonly calls: RecordedCall[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  readonly uploads = new Map<string, string>();
  /** Messages refused for breaking Block Kit limits: a test fails when this is not empty. */
  readonly violations: string[] = [];
  private readonly handlers = new Map<string, Handler>();
  private server: http.Server | undefined;
  private base = '';
  private counter = 0;

  /** The Web API base URL (SLACK_API_URL). */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** A response_url for one slash command or action. */
  responseUrl(id = `r${++this.counter}`): string {
    return `${this.base}/response/${id}`;
  }

  /** Overrides the answer of one Web API method. */
  on(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  reset(): void {
    this.calls.length = 0;
    this.responseUrlPosts.length = 0;
    this.violations.length = 0;
    this.uploads.clear();
    this.handlers.clear();
  }

  /** Resolves once `predicate` holds (polling), or fails after `timeoutMs`. */
  async waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.startsWith('/response/')) {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      const problems = blockKitViolations(body);
      if (problems.length) {
        this.violations.push(`response_url: ${problems.join('; ')}`);
        return reply(400, { ok: false, error: 'invalid_blocks' });
      }
      this.responseUrlPosts.push({ id: url.pathname.slice('/response/'.length), body });
      return reply(200, { ok: true });
    }
    if (url.pathname.startsWith('/upload/')) {
      this.uploads.set(url.pathname.slice('/upload/'.length), uploadedContent(raw, req.headers['content-type'] ?? ''));
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end('OK - 1');
    }
    if (!url.pathname.startsWith('/api/')) return reply(404, { ok: false, error: 'unknown_path' });
    const method = url.pathname.slice('/api/'.length);
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    const auth = req.headers.authorization;
    const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : (args.token as string | undefined);
    const call: RecordedCall = { method, args, token };
    this.calls.push(call);
    if (MESSAGE_METHODS.has(method) || method.startsWith('views.')) {
      const view = args.view as Record<string, unknown> | undefined;
      const problems =
        method === 'views.publish' ? blockKitViolations(view ?? {}) : method.startsWith('views.') ? viewViolations(view ?? {}) : blockKitViolations(args);
      if (problems.length) {
        this.violations.push(`${method}: ${problems.join('; ')}`);
        return reply(200, { ok: false, error: 'invalid_blocks', errors: problems });
      }
    }
    const handler = this.handlers.get(method) ?? this.defaults(method);
    call.result = await handler(args);
    return reply(200, call.result);
  }

  private defaults(method: string): Handler {
    switch (method) {
      case 'auth.test':
        return () => ({ ok: true, url: 'https://test.slack.com/', team: 'Test', user: 'aws-audit-bot', team_id: 'T0TEST', user_id: 'U0BOT', bot_id: 'B0BOT' });
      case 'chat.postMessage':
        // Posting to a user id lands in the app's DM with them, and Slack answers with the DM's id.
        return (args) => ({
          ok: true,
          channel: typeof args.channel === 'string' && /^[UW]/.test(args.channel) ? `D${args.channel.slice(1)}` : args.channel,
          ts: `${1_700_000_000 + this.calls.length}.000100`,
          message: { text: args.text },
        });
      case 'chat.postEphemeral':
        return () => ({ ok: true, message_ts: `${1_700_000_000 + this.calls.length}.000200` });
      case 'chat.update':
        return (args) => ({ ok: true, channel: args.channel, ts: args.ts });
      case 'views.publish':
        return () => ({ ok: true, view: { id: 'V0HOME' } });
      case 'views.open':
      case 'views.update':
      case 'views.push':
        return (args) => ({ ok: true, view: { id: `V0${++this.counter}`, ...(args.view as Record<string, unknown>) } });
      case 'usergroups.users.list':
        return () => ({ ok: true, users: [] });
      case 'files.getUploadURLExternal':
        return (args) => {
          const id = `F0${++this.counter}`;
          return { ok: true, upload_url: `${this.base}/upload/${id}`, file_id: id, filename: args.filename };
        };
      case 'files.completeUploadExternal':
        return (args) => ({ ok: true, files: ((args.files as { id: string; title?: string }[] | undefined) ?? []).map((f) => ({ id: f.id, title: f.title })) });
      default:
        return () => ({ ok: false, error: 'unknown_method' });
    }
  }
}

/** The file's bytes from an upload: the body itself, or its part of a multipart form. */
function uploadedContent(raw: string, contentType: string): string {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!contentType.startsWith('multipart/form-data') || !boundary) return raw;
  const parts = raw.split(`--${boundary[1] ?? boundary[2]}`);
  const file = parts.find((p) => /filename=/.test(p)) ?? parts.find((p) => p.includes('\r\n\r\n')) ?? '';
  const start = file.indexOf('\r\n\r\n');
  return start === -1 ? '' : file.slice(start + 4).replace(/\r\n$/, '');
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = JSON_FIELDS.has(key) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Slack's request signature: v0=HMAC-SHA256(secret, `v0:<timestamp>:<body>`). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedPostOptions {
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Send this signature instead of the right one. */
  signature?: string;
  contentType?: string;
}

/** POSTs a signed request to the app, as Slack does. */
export async function signedPost(
  url: string,
  secret: string,
  body: string,
  options: SignedPostOptions = {},
): Promise<{ status: number; body: string; ms: number }> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(secret, timestamp, body),
    },
    body,
  });
  return { status: response.status, body: await response.text(), ms: performance.now() - started };
}

/** The form body of a slash command. */
export function slashCommandBody(fields: { text: string; user_id?: string; channel_id?: string; response_url: string; trigger_id?: string }): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEST',
    team_domain: 'test',
    channel_id: fields.channel_id ?? 'C0AUDIT01',
    channel_name: 'security',
    user_id: fields.user_id ?? 'U0ALICE01',
    user_name: 'alice',
    command: '/audit',
    text: fields.text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? '123.456.abc',
  }).toString();
}

/** The body of an interactive payload (block_actions, view_submission). */
export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The body of a block_actions payload: `user` clicked `action` in `container` (a message, ephemeral or not). */
export function blockActionBody(input: {
  user: string;
  action: Record<string, unknown>;
  container: { channel: string; ts: string; threadTs?: string; ephemeral?: boolean };
  responseUrl: string;
  /** The clicked message as the payload carries it (absent for ephemeral messages). */
  message?: Record<string, unknown>;
}): string {
  const { user, container } = input;
  return interactionBody({
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0APP',
    token: 'x',
    trigger_id: `trigger-${user}`,
    team: { id: 'T0TEST', domain: 'test' },
    container: {
      type: 'message',
      message_ts: container.ts,
      channel_id: container.channel,
      is_ephemeral: container.ephemeral === true,
      ...(container.threadTs ? { thread_ts: container.threadTs } : {}),
    },
    channel: { id: container.channel, name: 'security' },
    ...(input.message ? { message: input.message } : {}),
    response_url: input.responseUrl,
    actions: [input.action],
  });
}

/** One entry of a finding menu, with the group it is listed under ("Mute" for a plain "Mute…" menu). */
export interface MenuEntry {
  group: string;
  value: string;
  label: string;
}

type MenuOption = { text: { text: string }; value: string };

/** The entries of a block's finding menu (a plain `options` list or `option_groups`), in order; none when the block has no such menu. */
export function menuEntries(block: unknown): MenuEntry[] {
  const accessory = (
    block as { accessory?: { action_id?: string; options?: MenuOption[]; option_groups?: { label: { text: string }; options: MenuOption[] }[] } }
  ).accessory;
  if (accessory?.action_id !== 'mute_finding') return [];
  return [
    ...(accessory.options ?? []).map((o) => ({ group: 'Mute', value: o.value, label: o.text.text })),
    ...(accessory.option_groups ?? []).flatMap((g) => g.options.map((o) => ({ group: g.label.text, value: o.value, label: o.text.text }))),
  ];
}
