/** Errors raised by the Engine API client. */

/** A non-2xx answer from the daemon; `message` is the `{"message"}` of the body (or its text). */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.name = 'ApiError';
  }
}

/** The daemon could not be reached at all (no socket, refused, reset before an answer). */
export class ConnectError extends Error {
  readonly host: string;
  constructor(host: string, cause: unknown) {
    super(`Cannot connect to the berth daemon at ${host}. Is the berth daemon running?`, { cause });
    this.host = host;
    this.name = 'ConnectError';
  }
}

/** Builds an ApiError from a status code and a raw body as the daemon sent it. */
export function apiErrorFromBody(status: number, body: string): ApiError {
  let message = body.trim();
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') {
      message = parsed.message;
    }
  } catch {
    // not JSON: keep the text
  }
  if (message === '') message = `${status} ${statusText(status)}`;
  return new ApiError(status, message);
}

function statusText(status: number): string {
  const texts: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error' };
  return texts[status] ?? 'Error';
}
