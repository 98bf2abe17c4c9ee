/**
 * The exit code Docker records when a container's process could not be started
 * (moby daemon/start.go: 127 not found, 126 cannot invoke, 128 otherwise).
 */
export function startFailureExitCode(message: string): number {
  const m = message.toLowerCase();
  if (m.includes('executable file not found') || m.includes('no such file or directory')) return 127;
  if (m.includes('permission denied') || m.includes('is a directory') || m.includes('exec format error')) return 126;
  return 128;
}

const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11,
  USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21,
  TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
};

/**
 * Parses a signal as Docker accepts it: `SIGTERM`, `TERM`, `15`, `RTMIN+3`. Returns its number,
 * or undefined when it is not a signal.
 */
export function parseSignal(sig: string): number | undefined {
  const s = sig.trim().toUpperCase();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n >= 1 && n <= 64 ? n : undefined;
  }
  const name = s.startsWith('SIG') ? s.slice(3) : s;
  if (name in SIGNALS) return SIGNALS[name];
  const rt = /^RTMIN(?:\+(\d+))?$/.exec(name) ?? /^RTMAX(?:-(\d+))?$/.exec(name);
  if (rt) {
    const off = Number(rt[1] ?? 0);
    const n = name.startsWith('RTMIN') ? 34 + off : 64 - off;
    return n >= 34 && n <= 64 ? n : undefined;
  }
  return undefined;
}
