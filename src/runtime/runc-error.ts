/** Turns an OCI runtime's stderr into a clean message and an EngineError kind. */
import { EngineError } from '../core/index.js';
import type { ErrorKind } from '../core/index.js';

/**
 * Extracts the message from runc's stderr: logrus text lines (`time=… level=error msg="…"`),
 * JSON lines (`{"level":"error","msg":"…"}`) or plain text. Uses the last error line.
 */
export function runtimeMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const msgs: string[] = [];
  for (const line of lines) {
    const json = parseJsonMsg(line);
    if (json !== undefined) {
      msgs.push(json);
      continue;
    }
    const m = /(?:^|\s)msg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (m) {
      msgs.push(unquote(m[1] ?? ''));
      continue;
    }
    const bare = /(?:^|\s)msg=(\S+)/.exec(line);
    msgs.push(bare ? (bare[1] ?? line) : line);
  }
  return msgs.at(-1) ?? '';
}

function parseJsonMsg(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    if (v && typeof v === 'object' && 'msg' in v && typeof v.msg === 'string') return v.msg;
  } catch {
    // not JSON
  }
  return undefined;
}

function unquote(s: string): string {
  try {
    const v: unknown = JSON.parse(`"${s}"`);
    return typeof v === 'string' ? v : s;
  } catch {
    return s.replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
}

/** The kind Docker gives a runtime failure: bad command → invalid-argument; missing → not-found. */
export function runtimeErrorKind(message: string): ErrorKind {
  const m = message.toLowerCase();
  if (
    m.includes('executable file not found') ||
    m.includes('no such file or directory') ||
    m.includes('permission denied') ||
    m.includes('not a directory') ||
    m.includes('exec format error')
  ) {
    return 'invalid-argument';
  }
  if (m.includes('does not exist') || m.includes('container not found')) return 'not-found';
  if (m.includes('not running') || m.includes('cannot kill') || m.includes('is stopped')) return 'conflict';
  return 'internal';
}

/** An EngineError for a failed runtime command. */
export function runtimeError(stderr: string, fallback: string): EngineError {
  const message = runtimeMessage(stderr) || fallback;
  return new EngineError(runtimeErrorKind(message), message);
}
