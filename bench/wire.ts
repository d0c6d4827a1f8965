/**
 * The benchmark's AWS wire formats, driven by the SDK's own schemas: decodes
 * a request the real clients send (query, EC2 query, JSON 1.0/1.1, REST-XML,
 * REST-JSON) into the operation's input, and encodes an output or an error
 * the way the service would answer, so that the process benchmark pays for
 * the SDK's request building, signing, HTTP and parsing as users do.
 *
 * The schemas (`DescribeInstances$`, `SecurityGroup$`, …) are what each
 * client package exports and reads itself; walking them here means a check
 * that calls a new operation is served without new code in bench/.
 */
import type { IncomingHttpHeaders } from 'node:http';
import * as accessanalyzer from '@aws-sdk/client-accessanalyzer';
import * as cloudfront from '@aws-sdk/client-cloudfront';
import * as cloudtrail from '@aws-sdk/client-cloudtrail';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as logs from '@aws-sdk/client-cloudwatch-logs';
import * as config from '@aws-sdk/client-config-service';
import * as ec2 from '@aws-sdk/client-ec2';
import * as efs from '@aws-sdk/client-efs';
import * as elb from '@aws-sdk/client-elastic-load-balancing';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import * as iam from '@aws-sdk/client-iam';
import * as kms from '@aws-sdk/client-kms';
import * as rds from '@aws-sdk/client-rds';
import * as route53 from '@aws-sdk/client-route-53';
import * as s3 from '@aws-sdk/client-s3';
import * as s3control from '@aws-sdk/client-s3-control';
import * as securityhub from '@aws-sdk/client-securityhub';
import * as sns from '@aws-sdk/client-sns';
import * as sts from '@aws-sdk/client-sts';
import { NormalizedSchema } from '@smithy/core/schema';

type Protocol = 'query' | 'ec2' | 'json1.0' | 'json1.1' | 'rest-xml' | 'rest-json';

interface Operation {
  name: string;
  input: NormalizedSchema;
  output: NormalizedSchema;
  /** REST bindings: method, path template segments, literal query keys (`acl`, `x-id=ListBuckets`), status. */
  http?: { method: string; segments: string[]; query: [string, string | undefined][]; code: number };
}

export interface Service {
  /** The runner's name for it (`elbv2`, `s3control`). */
  name: string;
  protocol: Protocol;
  operations: Map<string, Operation>;
  /** Error shape name (`NoSuchEntityException`) → the code on the wire (`NoSuchEntity`). */
  errorCodes: Map<string, string>;
  /** JSON 1.0 services that also speak the query error codes (CloudWatch). */
  queryCompatible: boolean;
  xmlns?: string;
}

/** A decoded request: which operation of which service, its input, and the region it was signed for. */
export interface DecodedRequest {
  service: Service;
  operation: Operation;
  input: Record<string, unknown>;
  region: string;
}

/** An HTTP answer. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

type Module = Record<string, unknown>;

function service(name: string, module: Module, protocol: Protocol, extra: { xmlns?: string; queryCompatible?: boolean } = {}): Service {
  const operations = new Map<string, Operation>();
  const errorCodes = new Map<string, string>();
  for (const value of Object.values(module)) {
    if (!Array.isArray(value)) continue;
    if (value[0] === 9) {
      const [, , opName, traits, input, output] = value as [number, string, string, { http?: [string, string, number] } | number, unknown, unknown];
      const http = typeof traits === 'object' ? traits.http : undefined;
      const op: Operation = { name: opName, input: NormalizedSchema.of(input as never), output: NormalizedSchema.of(output as never) };
      if (http) op.http = restBinding(name, op.input, http);
      operations.set(opName, op);
    } else if (value[0] === -3) {
      const schema = NormalizedSchema.of(value as never);
      const code = (schema.getMergedTraits() as { awsQueryError?: [string, number] }).awsQueryError?.[0];
      const name = schema.getName() ?? '';
      errorCodes.set(name, code ?? name);
    }
  }
  return { name, protocol, operations, errorCodes, queryCompatible: extra.queryCompatible ?? false, ...(extra.xmlns ? { xmlns: extra.xmlns } : {}) };
}

function restBinding(serviceName: string, input: NormalizedSchema, [method, uri, code]: [string, string, number]): NonNullable<Operation['http']> {
  const [path = '/', query = ''] = uri.split('?');
  const segments = path.split('/').filter(Boolean);
  // S3 binds the bucket to the host; path-style requests (what the SDK sends to a custom endpoint) put it first in the path.
  if (serviceName === 's3' && !path.includes('{Bucket}') && [...input.structIterator()].some(([m, s]) => m === 'Bucket' && s.getMergedTraits().httpLabel))
    segments.unshift('{Bucket}');
  const literals = query
    .split('&')
    .filter(Boolean)
    .map((pair): [string, string | undefined] => {
      const [k = '', v] = pair.split('=');
      return [k, v];
    });
  return { method, segments, query: literals, code };
}

const SERVICES: Service[] = [
  service('iam', iam, 'query', { xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/' }),
  service('sts', sts, 'query', { xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/' }),
  service('ec2', ec2, 'ec2', { xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/' }),
  service('rds', rds, 'query', { xmlns: 'http://rds.amazonaws.com/doc/2014-10-31/' }),
  service('elb', elb, 'query', { xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/' }),
  service('elbv2', elbv2, 'query', { xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/' }),
  service('sns', sns, 'query', { xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/' }),
  service('cloudwatch', cloudwatch, 'json1.0', { queryCompatible: true }),
  service('cloudtrail', cloudtrail, 'json1.1'),
  service('kms', kms, 'json1.1'),
  service('config', config, 'json1.1'),
  service('logs', logs, 'json1.1'),
  service('s3', s3, 'rest-xml', { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' }),
  service('s3control', s3control, 'rest-xml', { xmlns: 'http://awss3control.amazonaws.com/doc/2018-08-20/' }),
  service('route53', route53, 'rest-xml', { xmlns: 'https://route53.amazonaws.com/doc/2013-04-01/' }),
  service('cloudfront', cloudfront, 'rest-xml', { xmlns: 'http://cloudfront.amazonaws.com/doc/2020-05-31/' }),
  service('efs', efs, 'rest-json'),
  service('accessanalyzer', accessanalyzer, 'rest-json'),
  service('securityhub', securityhub, 'rest-json'),
];
const BY_NAME = new Map(SERVICES.map((s) => [s.name, s]));

/** SigV4 signing name → the service (Classic and v2 load balancing share one, as S3 and S3 Control do). */
const SIGNING_NAMES: Record<string, string> = {
  iam: 'iam',
  sts: 'sts',
  ec2: 'ec2',
  rds: 'rds',
  sns: 'sns',
  monitoring: 'cloudwatch',
  cloudtrail: 'cloudtrail',
  kms: 'kms',
  config: 'config',
  logs: 'logs',
  s3: 's3',
  route53: 'route53',
  cloudfront: 'cloudfront',
  elasticfilesystem: 'efs',
  'access-analyzer': 'accessanalyzer',
  securityhub: 'securityhub',
  elasticloadbalancing: 'elb',
};

export class WireError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------- decoding

/** `Credential=AKID/20261203/eu-west-1/ec2/aws4_request` → region and signing name. */
function credentialScope(headers: IncomingHttpHeaders): { region: string; signingName: string } {
  const auth = headers.authorization ?? '';
  const match = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  if (!match) throw new WireError(`unsigned request (Authorization: ${JSON.stringify(auth.slice(0, 60))})`, 403);
  return { region: match[1]!, signingName: match[2]! };
}

export function decodeRequest(method: string, url: string, headers: IncomingHttpHeaders, body: string): DecodedRequest {
  const { region, signingName } = credentialScope(headers);
  const parsed = new URL(url, 'http://stand-in');
  let serviceName = SIGNING_NAMES[signingName];
  if (!serviceName) throw new WireError(`no service signs as ${signingName}`);
  if (serviceName === 's3' && parsed.pathname.startsWith('/v20180820/')) serviceName = 's3control';
  let form: URLSearchParams | undefined;
  if (serviceName === 'elb') {
    form = new URLSearchParams(body);
    if (form.get('Version') === '2015-12-01') serviceName = 'elbv2';
  }
  const svc = BY_NAME.get(serviceName)!;
  switch (svc.protocol) {
    case 'query':
    case 'ec2': {
      form ??= new URLSearchParams(body);
      const action = form.get('Action') ?? '';
      const operation = svc.operations.get(action);
      if (!operation) throw new WireError(`${svc.name} has no operation ${action}`);
      const tree = queryTree(form);
      return { service: svc, operation, input: decodeQuery(operation.input, tree, svc.protocol === 'ec2') as Record<string, unknown>, region };
    }
    case 'json1.0':
    case 'json1.1': {
      const target = String(headers['x-amz-target'] ?? '');
      const name = target.slice(target.lastIndexOf('.') + 1);
      const operation = svc.operations.get(name);
      if (!operation) throw new WireError(`${svc.name} has no operation ${JSON.stringify(target)}`);
      return { service: svc, operation, input: body ? (JSON.parse(body) as Record<string, unknown>) : {}, region };
    }
    default:
      return decodeRest(svc, method, parsed, headers, body, region);
  }
}

type QueryNode = { [key: string]: QueryNode | string };

/** `Filter.1.Name=x` → `{ Filter: { 1: { Name: 'x' } } }`. */
function queryTree(form: URLSearchParams): QueryNode {
  const root: QueryNode = {};
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next === 'object') node = next;
      else {
        const child: QueryNode = {};
        node[part] = child;
        node = child;
      }
    }
    node[parts.at(-1)!] = value;
  }
  return root;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function numbered(node: QueryNode): (QueryNode | string)[] {
  return Object.keys(node)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => node[k]!);
}

function decodeQuery(ns: NormalizedSchema, node: QueryNode | string, ec2Style: boolean): unknown {
  if (ns.isStructSchema()) {
    if (typeof node === 'string') return {};
    const out: Record<string, unknown> = {};
    for (const [name, member] of ns.structIterator()) {
      const traits = member.getMemberTraits() as { ec2QueryName?: string; xmlName?: string };
      const key = ec2Style ? (traits.ec2QueryName ?? (traits.xmlName ? capitalize(traits.xmlName) : name)) : (traits.xmlName ?? name);
      const child = node[key];
      if (child !== undefined) out[name] = decodeQuery(member, child, ec2Style);
    }
    return out;
  }
  if (ns.isListSchema()) {
    if (typeof node === 'string') return node === '' ? [] : [node];
    const value = ns.getValueSchema();
    const wrapper = (value.getMemberTraits() as { xmlName?: string }).xmlName ?? 'member';
    const inner = !ec2Style && typeof node[wrapper] === 'object' ? (node[wrapper] as QueryNode) : node;
    return numbered(inner).map((item) => decodeQuery(value, item, ec2Style));
  }
  if (ns.isMapSchema()) {
    if (typeof node === 'string') return {};
    const entries = typeof node.entry === 'object' ? node.entry : node;
    const out: Record<string, unknown> = {};
    for (const entry of numbered(entries)) {
      if (typeof entry === 'string') continue;
      out[String(entry.key ?? '')] = decodeQuery(ns.getValueSchema(), entry.value ?? '', ec2Style);
    }
    return out;
  }
  return scalarFromText(ns, typeof node === 'string' ? node : '');
}

function scalarFromText(ns: NormalizedSchema, text: string): unknown {
  if (ns.isBooleanSchema()) return text === 'true';
  if (ns.isNumericSchema()) return Number(text);
  if (ns.isTimestampSchema()) return new Date(/^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : text);
  if (ns.isBlobSchema()) return Buffer.from(text, 'base64');
  return text;
}

function decodeRest(svc: Service, method: string, url: URL, headers: IncomingHttpHeaders, body: string, region: string): DecodedRequest {
  const path = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let best: { operation: Operation; labels: Record<string, string>; score: number } | undefined;
  for (const operation of svc.operations.values()) {
    const http = operation.http;
    if (!http || http.method !== method) continue;
    if (!http.query.every(([k, v]) => url.searchParams.has(k) && (v === undefined || url.searchParams.get(k) === v))) continue;
    const labels = matchPath(http.segments, path);
    if (!labels) continue;
    const score = http.segments.filter((s) => !s.startsWith('{')).length * 10 + http.query.length;
    if (!best || score > best.score) best = { operation, labels, score };
  }
  if (!best) throw new WireError(`${svc.name} has no operation for ${method} ${url.pathname}${url.search}`, 404);
  const { operation, labels } = best;
  const input: Record<string, unknown> = {};
  const bodyMembers: [string, NormalizedSchema][] = [];
  for (const [name, member] of operation.input.structIterator()) {
    const t = member.getMergedTraits() as { httpLabel?: unknown; httpQuery?: string; httpHeader?: string; httpPayload?: unknown; httpQueryParams?: unknown };
    if (t.httpLabel) {
      if (labels[name] !== undefined) input[name] = labels[name];
    } else if (t.httpQuery) {
      const values = url.searchParams.getAll(t.httpQuery);
      if (values.length)
        input[name] = member.isListSchema() ? values.map((v) => scalarFromText(member.getValueSchema(), v)) : scalarFromText(member, values[0]!);
    } else if (t.httpHeader) {
      const value = headers[t.httpHeader.toLowerCase()];
      if (value !== undefined) input[name] = scalarFromText(member, String(value));
    } else if (!t.httpQueryParams) bodyMembers.push([name, member]);
  }
  if (svc.protocol === 'rest-json' && body) {
    const json = JSON.parse(body) as Record<string, unknown>;
    for (const [name, member] of bodyMembers) {
      const key = (member.getMemberTraits() as { jsonName?: string }).jsonName ?? name;
      if (json[key] !== undefined) input[name] = json[key];
    }
  }
  return { service: svc, operation, input, region };
}

function matchPath(template: string[], path: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const label = /^\{(\w+)(\+)?\}$/.exec(t);
    if (label?.[2]) {
      if (i >= path.length) return undefined;
      labels[label[1]!] = path.slice(i).join('/');
      return labels;
    }
    const segment = path[i];
    if (segment === undefined) return undefined;
    if (label) labels[label[1]!] = segment;
    else if (t !== segment) return undefined;
  }
  return template.length === path.length ? labels : undefined;
}

// ---------------------------------------------------------------- encoding

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Smithy's timestamp schemas: 5 date-time, 6 http-date, 7 epoch-seconds; 4 the protocol's default. */
function timestamp(ns: NormalizedSchema, value: unknown, fallback: 5 | 6 | 7): string | number {
  const date = value instanceof Date ? value : new Date(value as string);
  const kind = ns.getSchema() as unknown;
  const format = kind === 5 || kind === 6 || kind === 7 ? kind : fallback;
  if (format === 7) return date.getTime() / 1000;
  if (format === 6) return date.toUTCString();
  return date.toISOString();
}

function base64(value: unknown): string {
  if (typeof value === 'string') return Buffer.from(value).toString('base64');
  return Buffer.from(value as Uint8Array).toString('base64');
}

function xmlText(ns: NormalizedSchema, value: unknown): string {
  if (ns.isTimestampSchema()) return String(timestamp(ns, value, 5));
  if (ns.isBlobSchema()) return base64(value);
  return escapeXml(String(value));
}

function namespaceAttribute(traits: { xmlNamespace?: unknown }): string {
  // [uri] or [prefix, uri] in schemas; { prefix, uri } in older ones.
  const ns = traits.xmlNamespace as string[] | { prefix?: string; uri: string } | undefined;
  if (!ns) return '';
  const [prefix = '', uri = ''] = Array.isArray(ns) ? (ns.length === 1 ? ['', ns[0]] : ns) : [ns.prefix ?? '', ns.uri];
  return prefix ? ` xmlns:${prefix}="${escapeXml(uri)}"` : ` xmlns="${escapeXml(uri)}"`;
}

/** One element named `name` for `value` of schema `ns` (`extra` goes into its start tag). */
function xmlElement(ns: NormalizedSchema, value: unknown, name: string, extra = ''): string {
  if (value === undefined || value === null) return '';
  if (ns.isListSchema()) {
    const member = ns.getValueSchema();
    const items = value as unknown[];
    if ((ns.getMergedTraits() as { xmlFlattened?: unknown }).xmlFlattened) return items.map((v) => xmlElement(member, v, name)).join('');
    const memberName = (member.getMemberTraits() as { xmlName?: string }).xmlName ?? 'member';
    return `<${name}${extra}>${items.map((v) => xmlElement(member, v, memberName)).join('')}</${name}>`;
  }
  if (ns.isMapSchema()) {
    const key = ns.getKeySchema();
    const val = ns.getValueSchema();
    const keyName = (key.getMemberTraits() as { xmlName?: string }).xmlName ?? 'key';
    const valueName = (val.getMemberTraits() as { xmlName?: string }).xmlName ?? 'value';
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${xmlElement(key, k, keyName)}${xmlElement(val, v, valueName)}`);
    if ((ns.getMergedTraits() as { xmlFlattened?: unknown }).xmlFlattened) return entries.map((e) => `<${name}>${e}</${name}>`).join('');
    return `<${name}${extra}>${entries.map((e) => `<entry>${e}</entry>`).join('')}</${name}>`;
  }
  if (ns.isStructSchema()) {
    const record = value as Record<string, unknown>;
    let attributes = namespaceAttribute(ns.getMergedTraits()) + extra;
    let children = '';
    for (const [member, schema] of ns.structIterator()) {
      const v = record[member];
      if (v === undefined || v === null) continue;
      const traits = schema.getMemberTraits() as { xmlName?: string; xmlAttribute?: unknown };
      const memberName = traits.xmlName ?? member;
      if (traits.xmlAttribute) attributes += ` ${memberName}="${xmlText(schema, v)}"`;
      else children += xmlElement(schema, v, memberName);
    }
    return `<${name}${attributes}>${children}</${name}>`;
  }
  return `<${name}${extra}>${xmlText(ns, value)}</${name}>`;
}

/** The members of a structure as XML children (no enclosing element). */
function xmlMembers(ns: NormalizedSchema, value: Record<string, unknown>, skip: (traits: Record<string, unknown>) => boolean = () => false): string {
  let out = '';
  for (const [member, schema] of ns.structIterator()) {
    const traits = schema.getMemberTraits() as Record<string, unknown>;
    if (skip(traits)) continue;
    out += xmlElement(schema, value[member], (traits.xmlName as string | undefined) ?? member);
  }
  return out;
}

function jsonValue(ns: NormalizedSchema, value: unknown, rest: boolean): unknown {
  if (value === undefined || value === null) return undefined;
  if (ns.isListSchema()) return (value as unknown[]).map((v) => jsonValue(ns.getValueSchema(), v, rest));
  if (ns.isMapSchema())
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonValue(ns.getValueSchema(), v, rest)]));
  if (ns.isStructSchema()) return jsonMembers(ns, value as Record<string, unknown>, rest);
  if (ns.isTimestampSchema()) return timestamp(ns, value, 7);
  if (ns.isBlobSchema()) return base64(value);
  return value;
}

function jsonMembers(
  ns: NormalizedSchema,
  value: Record<string, unknown>,
  rest: boolean,
  skip: (traits: Record<string, unknown>) => boolean = () => false,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [member, schema] of ns.structIterator()) {
    const traits = schema.getMemberTraits() as Record<string, unknown>;
    if (skip(traits)) continue;
    const v = jsonValue(schema, value[member], rest);
    if (v !== undefined) out[rest ? ((traits.jsonName as string | undefined) ?? member) : member] = v;
  }
  return out;
}

const REST_BOUND = (t: Record<string, unknown>) => Boolean(t.httpHeader || t.httpResponseCode || t.httpPayload || t.httpPrefixHeaders);

export function encodeOutput(request: DecodedRequest, output: Record<string, unknown>, requestId: string): Answer {
  const { service: svc, operation } = request;
  const ns = operation.output;
  const op = operation.name;
  switch (svc.protocol) {
    case 'query':
      return xml(
        200,
        `<${op}Response xmlns="${svc.xmlns}"><${op}Result>${xmlMembers(ns, output)}</${op}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${op}Response>`,
      );
    case 'ec2':
      return xml(200, `<${op}Response xmlns="${svc.xmlns}"><requestId>${requestId}</requestId>${xmlMembers(ns, output)}</${op}Response>`);
    case 'json1.0':
    case 'json1.1':
      return {
        status: 200,
        headers: { 'content-type': `application/x-amz-json-${svc.protocol.slice(4)}`, 'x-amzn-requestid': requestId },
        body: JSON.stringify(jsonMembers(ns, output, false)),
      };
    default:
      return encodeRestOutput(request, output, requestId);
  }
}

function xml(status: number, body: string, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'text/xml', ...headers }, body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}` };
}

function encodeRestOutput({ service: svc, operation }: DecodedRequest, output: Record<string, unknown>, requestId: string): Answer {
  const ns = operation.output;
  const headers: Record<string, string> = { 'x-amz-request-id': requestId, 'x-amzn-requestid': requestId };
  let status = operation.http?.code ?? 200;
  let payload: [string, NormalizedSchema] | undefined;
  for (const [member, schema] of ns.structIterator()) {
    const traits = schema.getMemberTraits() as { httpHeader?: string; httpResponseCode?: unknown; httpPayload?: unknown };
    const value = output[member];
    if (traits.httpPayload) payload = [member, schema];
    if (value === undefined || value === null) continue;
    if (traits.httpHeader) headers[traits.httpHeader] = schema.isTimestampSchema() ? String(timestamp(schema, value, 6)) : String(value);
    else if (traits.httpResponseCode) status = Number(value);
  }
  const isXml = svc.protocol === 'rest-xml';
  const contentType = isXml ? 'application/xml' : 'application/json';
  if (payload) {
    const [member, schema] = payload;
    const value = output[member];
    if (value === undefined || value === null) return { status, headers, body: '' };
    if (schema.isStructSchema() || schema.isUnionSchema()) {
      if (!isXml) return { status, headers: { ...headers, 'content-type': contentType }, body: JSON.stringify(jsonValue(schema, value, true)) };
      const root =
        (schema.getMemberTraits() as { xmlName?: string }).xmlName ?? (schema.getOwnTraits() as { xmlName?: string }).xmlName ?? schema.getName() ?? member;
      return { status, headers: { ...headers, 'content-type': contentType }, body: xmlElement(schema, value, root, svc.xmlns ? ` xmlns="${svc.xmlns}"` : '') };
    }
    if (schema.isBlobSchema()) return { status, headers: { ...headers, 'content-type': 'application/octet-stream' }, body: Buffer.from(value as Uint8Array) };
    return { status, headers: { ...headers, 'content-type': 'text/plain' }, body: String(value) };
  }
  const unbound = [...ns.structIterator()].filter(([, s]) => !REST_BOUND(s.getMemberTraits() as Record<string, unknown>));
  if (unbound.length === 0) return { status, headers, body: '' };
  if (!isXml) return { status, headers: { ...headers, 'content-type': contentType }, body: JSON.stringify(jsonMembers(ns, output, true, REST_BOUND)) };
  const root = (ns.getMergedTraits() as { xmlName?: string }).xmlName ?? ns.getName() ?? 'Response';
  const xmlnsAttr = svc.xmlns ? ` xmlns="${svc.xmlns}"` : '';
  // A structure whose one member is the root element's own text (S3's GetBucketLocation: <LocationConstraint>eu-west-1</LocationConstraint>).
  const [only] = unbound;
  if (unbound.length === 1 && only && only[0] === root && !only[1].isStructSchema() && !only[1].isListSchema()) {
    const value = output[root];
    return {
      status,
      headers: { ...headers, 'content-type': contentType },
      body: `<${root}${xmlnsAttr}>${value === undefined || value === null ? '' : xmlText(only[1], value)}</${root}>`,
    };
  }
  return { status, headers: { ...headers, 'content-type': contentType }, body: `<${root}${xmlnsAttr}>${xmlMembers(ns, output, REST_BOUND)}</${root}>` };
}

/** An error the fake threw (an SDK exception: name, message, $metadata.httpStatusCode), as the service puts it on the wire. */
export function encodeError(svc: Service | undefined, error: { name: string; message: string; status: number }, requestId: string): Answer {
  const code = svc?.errorCodes.get(error.name) ?? error.name;
  const message = escapeXml(error.message);
  const status = error.status;
  switch (svc?.protocol) {
    case 'ec2':
      return xml(
        status,
        `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      );
    case 'json1.0':
    case 'json1.1':
    case 'rest-json': {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-errortype': error.name, 'x-amzn-requestid': requestId };
      if (svc.queryCompatible) headers['x-amzn-query-error'] = `${code};${status >= 500 ? 'Receiver' : 'Sender'}`;
      return { status, headers, body: JSON.stringify({ __type: error.name, message: error.message }) };
    }
    case 'rest-xml':
      if (svc.name === 's3' || svc.name === 's3control')
        return xml(status, `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`);
      return xml(
        status,
        `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    default:
      return xml(
        status,
        `<ErrorResponse><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
  }
}
