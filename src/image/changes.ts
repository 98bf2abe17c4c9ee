/**
 * `docker import --change` / `docker commit --change`: the Dockerfile instructions that only
 * change the config (Moby's BuildFromConfig): CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL,
 * ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR.
 */
import { posix } from 'node:path';
import { constants } from 'node:os';
import { invalidArgument } from '../core/index.js';
import type { ContainerConfig } from '../protocol/index.js';

const VALID = new Set(['cmd', 'entrypoint', 'healthcheck', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

/** Splits the joined changes into logical lines (backslash continuations, comments, blanks dropped). */
function logicalLines(changes: readonly string[]): string[] {
  const out: string[] = [];
  let cur = '';
  for (const raw of changes.join('\n').split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (cur === '' && /^\s*(#|$)/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      cur += line.replace(/\\\s*$/, '');
      continue;
    }
    out.push((cur + line).trim());
    cur = '';
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** Splits shell-like words: quotes group, backslash escapes (no variable expansion). */
export function splitWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i]!;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < s.length) {
      cur += s[++i]!;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw invalidArgument(`unexpected end of statement while looking for matching ${quote}`);
  if (inWord) words.push(cur);
  return words;
}

/** JSON (exec) form if the argument is a JSON array of strings, else undefined. */
function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(args);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // shell form
  }
  return undefined;
}

function commandOf(args: string): string[] {
  return execForm(args) ?? ['/bin/sh', '-c', args];
}

/** `K=V K2="v 2"` or the legacy `K value with spaces`. */
function keyValues(instr: string, args: string): Array<[string, string]> {
  const words = splitWords(args);
  if (words.length === 0) throw invalidArgument(`${instr} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(args);
    if (!m) throw invalidArgument(`${instr} must have two arguments`);
    return [[m[1]!, m[2]!.trim()]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw invalidArgument(`${instr} names can not be blank`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

function exposedPorts(args: string): string[] {
  const ports: string[] = [];
  for (const spec of splitWords(args)) {
    const [range = '', proto = 'tcp'] = spec.split('/');
    const m = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!m || !['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw invalidArgument(`invalid containerPort: ${spec}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 65535 || hi < lo) throw invalidArgument(`invalid containerPort: ${spec}`);
    for (let p = lo; p <= hi; p++) ports.push(`${p}/${proto.toLowerCase()}`);
  }
  return ports;
}

function checkSignal(sig: string): void {
  if (/^\d+$/.test(sig)) {
    if (Number(sig) >= 1 && Number(sig) <= 64) return;
  } else {
    const name = sig.toUpperCase().startsWith('SIG') ? sig.toUpperCase() : `SIG${sig.toUpperCase()}`;
    if (name in constants.signals || /^SIGRTM(IN|AX)([+-]\d+)?$/.test(name)) return;
  }
  throw invalidArgument(`Invalid signal: ${sig}`);
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

function durationNs(flag: string, v: string): number {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let pos = 0;
  while (pos < v.length) {
    re.lastIndex = pos;
    const m = re.exec(v);
    if (!m) throw invalidArgument(`invalid duration for --${flag}: ${v}`);
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (v === '') throw invalidArgument(`invalid duration for --${flag}: ${v}`);
  return Math.round(total);
}

function healthcheck(args: string): NonNullable<ContainerConfig['Healthcheck']> {
  let rest = args.trim();
  const hc: Record<string, unknown> = {};
  for (let m = /^--([a-z-]+)=(\S+)\s*/.exec(rest); m; m = /^--([a-z-]+)=(\S+)\s*/.exec(rest)) {
    const [flag, value] = [m[1]!, m[2]!];
    if (flag === 'retries') hc.Retries = Number(value);
    else if (flag === 'interval') hc.Interval = durationNs(flag, value);
    else if (flag === 'timeout') hc.Timeout = durationNs(flag, value);
    else if (flag === 'start-period') hc.StartPeriod = durationNs(flag, value);
    else if (flag === 'start-interval') hc.StartInterval = durationNs(flag, value);
    else throw invalidArgument(`Unknown flag: ${flag}`);
    rest = rest.slice(m[0].length);
  }
  const [kind = '', ...more] = rest.split(/\s+/);
  if (kind.toUpperCase() === 'NONE') {
    if (more.length > 0) throw invalidArgument('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  if (kind.toUpperCase() !== 'CMD') throw invalidArgument(`Unknown type "${kind}" in HEALTHCHECK (try CMD)`);
  const cmdArgs = rest.slice(kind.length).trim();
  const exec = execForm(cmdArgs);
  return { ...hc, Test: exec ? ['CMD', ...exec] : ['CMD-SHELL', cmdArgs] } as NonNullable<ContainerConfig['Healthcheck']>;
}

/**
 * Applies change instructions to a copy of `base`. Throws 'invalid-argument' with Docker's
 * wording, e.g. "foo is not a valid change command".
 */
export function applyChanges(base: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const c: ContainerConfig = structuredClone(base);
  let cmdSet = false;
  for (const line of logicalLines(changes)) {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
    const instr = m[1]!.toLowerCase();
    const args = m[2]!.trim();
    if (!VALID.has(instr)) throw invalidArgument(`${instr} is not a valid change command`);
    const upper = instr.toUpperCase();
    if (args === '' && instr !== 'cmd' && instr !== 'entrypoint') throw invalidArgument(`${upper} requires at least one argument`);
    switch (instr) {
      case 'cmd':
        c.Cmd = commandOf(args);
        cmdSet = true;
        break;
      case 'entrypoint':
        c.Entrypoint = commandOf(args);
        if (!cmdSet) c.Cmd = null;
        break;
      case 'env': {
        const env = [...(c.Env ?? [])];
        for (const [k, v] of keyValues(upper, args)) {
          const i = env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`;
          else env.push(`${k}=${v}`);
        }
        c.Env = env;
        break;
      }
      case 'label':
        c.Labels = { ...(c.Labels ?? {}), ...Object.fromEntries(keyValues(upper, args)) };
        break;
      case 'expose':
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}), ...Object.fromEntries(exposedPorts(args).map((p) => [p, {}])) };
        break;
      case 'user':
        c.User = args;
        break;
      case 'volume': {
        const vols = execForm(args) ?? splitWords(args);
        if (vols.some((v) => v.trim() === '')) throw invalidArgument('VOLUME specified can not be an empty string');
        c.Volumes = { ...(c.Volumes ?? {}), ...Object.fromEntries(vols.map((v) => [v, {}])) };
        break;
      }
      case 'workdir':
        c.WorkingDir = posix.isAbsolute(args) ? posix.normalize(args) : posix.join(c.WorkingDir || '/', args);
        break;
      case 'onbuild': {
        const trigger = (/^\S+/.exec(args)?.[0] ?? '').toUpperCase();
        if (trigger === 'ONBUILD') throw invalidArgument("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (trigger === 'FROM' || trigger === 'MAINTAINER') throw invalidArgument(`${trigger} isn't allowed as an ONBUILD trigger`);
        c.OnBuild = [...(c.OnBuild ?? []), args];
        break;
      }
      case 'stopsignal':
        checkSignal(args);
        c.StopSignal = args;
        break;
      case 'healthcheck':
        c.Healthcheck = healthcheck(args);
        break;
    }
  }
  return c;
}
