/**
 * The one place that turns error kinds into HTTP status codes (as moby's httpstatus does),
 * and the error body Docker clients parse: {"message": "..."}.
 */
import { EngineError, type ErrorKind } from '../core/index.js';

const STATUS: Record<ErrorKind, number> = {
  'invalid-argument': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'not-modified': 304,
  precondition: 412,
  unavailable: 503,
  'not-implemented': 501,
  internal: 500,
};

export function statusOf(err: unknown): number {
  return err instanceof EngineError ? STATUS[err.kind] : 500;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
