/** Signal names and numbers as `docker kill --signal` accepts them (Linux x86_64/arm64 numbering). */
import { invalidArgument } from '../core/index.js';

const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10,
  SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CLD: 17, CONT: 18,
  STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27,
  WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
};
const SIGRTMIN = 34;
const SIGRTMAX = 64;

/**
 * Parses 'TERM', 'SIGTERM', 'sigterm', '15', 15 or 'RTMIN+3' into a signal number.
 * Throws 'invalid-argument' `Invalid signal: X` otherwise.
 */
export function parseSignal(sig: string | number): number {
  const bad = () => invalidArgument(`Invalid signal: ${sig}`);
  if (typeof sig === 'number') {
    if (!Number.isInteger(sig) || sig < 1 || sig > SIGRTMAX) throw bad();
    return sig;
  }
  const s = sig.trim();
  if (/^[0-9]+$/.test(s)) return parseSignal(Number(s));
  const name = s.toUpperCase().replace(/^SIG/, '');
  const known = SIGNALS[name];
  if (known !== undefined) return known;
  const rt = /^RTM(IN|AX)([+-][0-9]+)?$/.exec(name);
  if (rt) {
    const n = (rt[1] === 'IN' ? SIGRTMIN : SIGRTMAX) + Number(rt[2] ?? 0);
    if (n >= SIGRTMIN && n <= SIGRTMAX) return n;
  }
  throw bad();
}

/** The name of a signal number without the SIG prefix, if standard. */
export function signalName(n: number): string | undefined {
  return Object.keys(SIGNALS).find((k) => SIGNALS[k] === n);
}
