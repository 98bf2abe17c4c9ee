/** Raw HTTP over a unix socket, for tests that check the wire (no client library in between). */
import { request, type IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body as text. */
  text: string;
  /** The body parsed as JSON (throws if it is not JSON). */
  json<T = unknown>(): T;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** A string/Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  timeoutMs?: number;
}

/** Sends one request to the Engine API on `socket` and reads the whole response. */
export function api(socket: string, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    let payload: Buffer | undefined;
    if (req.body !== undefined) {
      if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) {
        payload = Buffer.from(req.body);
      } else {
        payload = Buffer.from(JSON.stringify(req.body));
        headers['Content-Type'] ??= 'application/json';
      }
      headers['Content-Length'] = String(payload.length);
    }
    const r = request(
      { socketPath: socket, method: req.method ?? 'GET', path: req.path, headers, timeout: req.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text,
            json<T>() {
              return JSON.parse(text) as T;
            },
          });
        });
      },
    );
    r.on('timeout', () => r.destroy(new Error(`timeout: ${req.method ?? 'GET'} ${req.path}`)));
    r.on('error', reject);
    r.end(payload);
  });
}

/** Splits a multiplexed (stdcopy) stream into stdout and stderr text. */
export function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const kind = buf[off];
    const size = buf.readUInt32BE(off + 4);
    const data = buf.subarray(off + 8, off + 8 + size);
    if (kind === 2) err.push(data);
    else out.push(data);
    off += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
