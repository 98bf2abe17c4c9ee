/**
 * Errors with a kind. Code throws an EngineError where the fact is known; the API layer
 * (src/api/errors.ts) is the only place that maps kinds to HTTP status codes.
 */
export type ErrorKind =
  | 'invalid-argument' // 400
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409
  | 'not-modified' // 304
  | 'precondition' // 412
  | 'unavailable' // 503
  | 'not-implemented' // 501
  | 'internal'; // 500

export class EngineError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = 'EngineError';
  }
}

/** Shorthands used everywhere; messages follow Docker's wording where clients parse them. */
export const invalidArgument = (msg: string, cause?: unknown): EngineError =>
  new EngineError('invalid-argument', msg, { cause });
export const notFound = (msg: string): EngineError => new EngineError('not-found', msg);
export const conflict = (msg: string): EngineError => new EngineError('conflict', msg);
export const forbidden = (msg: string): EngineError => new EngineError('forbidden', msg);
export const notModified = (msg = ''): EngineError => new EngineError('not-modified', msg);
export const internal = (msg: string, cause?: unknown): EngineError =>
  new EngineError('internal', msg, { cause });
export const notImplemented = (msg: string): EngineError => new EngineError('not-implemented', msg);

/** Keeps the kind of an EngineError (or 'internal') and prefixes context to the message. */
export function wrapError(err: unknown, context: string): EngineError {
  if (err instanceof EngineError) return new EngineError(err.kind, `${context}: ${err.message}`, { cause: err });
  const msg = err instanceof Error ? err.message : String(err);
  return new EngineError('internal', `${context}: ${msg}`, { cause: err });
}

export function isKind(err: unknown, kind: ErrorKind): boolean {
  return err instanceof EngineError && err.kind === kind;
}

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
