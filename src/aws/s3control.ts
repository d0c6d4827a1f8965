import { isIP } from 'node:net';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { EndpointV2 } from '@smithy/types';

type EndpointProvider = (params: { Endpoint?: string; Region?: string }, context?: unknown) => EndpointV2;

/**
 * Hosts that cannot carry S3 Control's `<account id>.` prefix: an IP address
 * (LocalStack or moto on 127.0.0.1) makes `123456789012.127.0.0.1` an invalid
 * URL, and `<account>.localhost` does not resolve everywhere.
 */
export function isLiteralHost(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) !== 0 || bare === 'localhost';
}

/**
 * S3 Control's endpoint rules put the account id in front of the host. Against
 * a custom endpoint whose host is an IP address or `localhost` the request goes
 * to that endpoint as it is instead; the account still travels in the
 * `x-amz-account-id` header, which is what LocalStack and moto read. Every other
 * endpoint (AWS itself, a named host) keeps the SDK's rules.
 */
export function withLiteralHostEndpoints(client: S3ControlClient): S3ControlClient {
  const config = client.config as unknown as { endpointProvider: EndpointProvider };
  const rules = config.endpointProvider;
  config.endpointProvider = (params, context) => {
    const custom = params.Endpoint ? safeUrl(params.Endpoint) : undefined;
    if (!custom || !isLiteralHost(custom.hostname)) return rules(params, context);
    // The shape S3 Control's own rules produce (disableDoubleEncoding is not in the smithy AuthScheme type).
    const authSchemes = [{ name: 'sigv4', signingName: 's3', signingRegion: params.Region ?? 'us-east-1', disableDoubleEncoding: true }];
    return { url: custom, properties: { authSchemes } as unknown as EndpointV2['properties'] };
  };
  return client;
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
