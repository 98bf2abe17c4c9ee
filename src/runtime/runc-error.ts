/** Turns an OCI runtime's stderr into a clean message and an EngineError kind. */
import { EngineError } from '../core/index.js';
import type { ErrorKind } from '../core/index.js';

/**
 * Extracts the message from runc's or crun's stderr: logrus text lines (`time=… level=error
 * msg="…"`), JSON lines (`{"level":"error","msg":"…"}`) or plain text. Uses the last error line,
 * with crun's wording of a failed exec put the way runc (and so Docker) words it.
 * `argv0` names the program, which crun's "permission denied" leaves out.
 */
export function runtimeMessage(stderr: string, argv0?: string): string {
  const last = lastMessage(stderr);
  return last === undefined ? '' : asRuncWording(last, argv0);
}

/**
 * crun says `executable file \`x\` not found in $PATH: No such file or directory`, `open
 * executable: Permission denied` and `chdir \`/w\`: Not a directory`; runc (and Docker, which
 * scripts and the docker CLI's 126/127 exit codes depend on) say `exec: "x": executable file not
 * found in $PATH`, `exec: "/x": stat /x: no such file or directory`, `exec: "x": permission
 * denied`. Other messages pass unchanged.
 */
export function asRuncWording(message: string, argv0?: string): string {
  const notFound = /executable file `(.*)` not found(?: in \$PATH)?: No such file or directory/.exec(message);
  if (notFound) {
    const name = notFound[1] ?? '';
    const detail = name.includes('/') ? `stat ${name}: no such file or directory` : 'executable file not found in $PATH';
    return message.replace(notFound[0], `exec: "${name}": ${detail}`);
  }
  const denied = /open executable: (?:Permission denied|Operation not permitted)/.exec(message);
  if (denied) return message.replace(denied[0], `exec: ${argv0 !== undefined ? `"${argv0}": ` : ''}permission denied`);
  const chdir = /chdir `(.*)`: (.*)$/.exec(message);
  if (chdir) return message.replace(chdir[0], `chdir to cwd ("${chdir[1] ?? ''}") set in config.json failed: ${(chdir[2] ?? '').toLowerCase()}`);
  return message;
}

function lastMessage(stderr: string): string | undefined {
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
  return msgs.at(-1);
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
  if (m.includes('not running') || m.includes('cannot kill') || m.includes('is stopped') || m.includes('no such process')) return 'conflict';
  return 'internal';
}

/** An EngineError for a failed runtime command. */
export function runtimeError(stderr: string, fallback: string): EngineError {
  const message = runtimeMessage(stderr) || fallback;
  return new EngineError(runtimeErrorKind(message), message);
}
