import { errorMessage, type OwnErrorCode } from '../errors.js';
import type { HttpTimeouts } from './timeouts.js';

/**
 * Errors of the connection rather than of AWS's answer, named for what
 * happened. The SDK calls a reset connection a `TimeoutError` (so that it
 * retries it); an operator reading "TimeoutError" looks for a slow network,
 * not for a proxy or endpoint that hangs up.
 */
export type TransportErrorCode = Extract<OwnErrorCode, 'ConnectTimeout' | 'RequestTimeout' | 'ECONNRESET' | 'EPIPE' | 'AuditDeadline' | 'ServiceNotOffered'>;

/** The code of a call to a service the region does not offer: the audit lists it as skipped, not as an error. */
export const SERVICE_NOT_OFFERED: TransportErrorCode = 'ServiceNotOffered';

export class AwsTransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    // awsErrorCode reads the name, as it does for the SDK's own exceptions.
    this.name = code;
  }
}

function attemptsOf(error: unknown): string {
  const attempts = (error as { $metadata?: { attempts?: number } } | null)?.$metadata?.attempts;
  return attempts && attempts > 1 ? ` (after ${attempts} attempts)` : '';
}

/** `2 s`, `0.3 s`. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * Turns the SDK's timeouts and resets into errors that say which, and a
 * service endpoint that does not exist in `region` (DNS answers NXDOMAIN for
 * `securityhub.<region>.amazonaws.com` where AWS does not offer it) into
 * `ServiceNotOffered`; any other error is returned as it is. A resolver that
 * cannot answer says EAI_AGAIN, which stays an error.
 */
export function transportError(error: unknown, timeouts: HttpTimeouts, region?: string): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const e = error as { name?: unknown; code?: unknown; message?: unknown; hostname?: unknown };
  if (e.code === 'ENOTFOUND' && region !== undefined && typeof e.hostname === 'string' && e.hostname.split('.').includes(region)) {
    return new AwsTransportError('ServiceNotOffered', `not offered in ${region}: its endpoint ${e.hostname} does not exist`, { cause: error });
  }
  if (e.name !== 'TimeoutError') return error;
  const message = errorMessage(error);
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE') {
    return new AwsTransportError(e.code, `the connection was reset by the other end${attemptsOf(error)}: ${message.split('\n')[0]}`, { cause: error });
  }
  if (/establish a connection/.test(message)) {
    return new AwsTransportError(
      'ConnectTimeout',
      `could not connect within ${seconds(timeouts.connectMs)} (audit.connectTimeoutSeconds)${attemptsOf(error)}`,
      { cause: error },
    );
  }
  if (e.code === 'ETIMEDOUT' || /requestTimeout|timed out/.test(message)) {
    return new AwsTransportError('RequestTimeout', `no answer within ${seconds(timeouts.requestMs)} (audit.requestTimeoutSeconds)${attemptsOf(error)}`, {
      cause: error,
    });
  }
  return error;
}

/** The error of a call cut short, or never started, because the audit's deadline passed. */
export function deadlineError(operation: string, signal: AbortSignal, cause?: unknown): AwsTransportError {
  const reason = typeof signal.reason === 'string' ? signal.reason : 'the audit reached its deadline';
  return new AwsTransportError('AuditDeadline', `${operation} was cut short: ${reason}`, cause === undefined ? {} : { cause });
}
