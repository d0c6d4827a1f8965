/** How long one HTTP attempt may take to connect, and to be answered once connected. */
export interface HttpTimeouts {
  connectMs: number;
  requestMs: number;
}

/** Fits AWS: a TCP+TLS connect takes well under a second, and no read the audit makes takes 30 s to answer. */
export const DEFAULT_TIMEOUTS: HttpTimeouts = { connectMs: 5_000, requestMs: 30_000 };

/** The SDK client settings that bound every call in time (for clients built elsewhere: STS, fixes). */
export function boundedClientConfig(timeouts: HttpTimeouts, maxAttempts = 5) {
  return {
    retryMode: 'standard',
    maxAttempts,
    requestHandler: {
      connectionTimeout: timeouts.connectMs,
      requestTimeout: timeouts.requestMs,
      // A server that sends the headers and then stalls the body: the socket's silence ends it too.
      socketTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
    },
  } as const;
}
