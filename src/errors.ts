/**
 * One error shape for the whole bot: a stable `code` that callers branch on,
 * a message meant for a person, and the underlying `cause`.
 */
export type ErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'UNKNOWN_ACCOUNT'
  | 'NO_CREDENTIALS'
  | 'ASSUME_ROLE_FAILED'
  | 'ENV_INVALID'
  | 'SLACK_UNREACHABLE'
  | 'STORE_UNREADABLE'
  | 'STORE_LOCKED'
  | 'INTERNAL';

export class AuditBotError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditBotError';
    this.code = code;
  }
}

/** Wraps anything thrown into an AuditBotError, keeping ours as they are. */
export function asAuditBotError(error: unknown): AuditBotError {
  if (error instanceof AuditBotError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AuditBotError('INTERNAL', message, { cause: error });
}

/** Names of the language's own errors: a bug, not an AWS answer. */
const JS_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'AggregateError']);

/** The AWS error code of an SDK v3 exception (its `name`), or undefined for anything else. */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; Code?: unknown; $metadata?: unknown; code?: unknown };
  if (typeof e.Code === 'string' && e.Code) return e.Code;
  if (typeof e.name === 'string' && e.name && (e.$metadata !== undefined || !JS_ERRORS.has(e.name))) return e.name;
  if (typeof e.code === 'string' && e.code) return e.code;
  return undefined;
}

/** An error named like an AWS error code (`MalformedResponse`, `PaginationLoop`): what awsErrorCode reports for it. */
export function namedError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** AWS answered without a field the verdict needs: an error, never a pass. */
export function malformedResponse(message: string): Error {
  return namedError('MalformedResponse', message);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
