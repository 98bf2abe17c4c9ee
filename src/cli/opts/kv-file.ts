import { readFileSync } from 'node:fs';

/**
 * Reads an env or label file like docker/cli's opts.ParseEnvFile: `#` comments and blank lines
 * skipped, `KEY=VAL` kept verbatim, bare `KEY` filled from `lookup` or dropped.
 * Throws Error with docker's wording for unreadable files and names with whitespace.
 */
export function parseKeyValueFile(path: string, lookup: ((k: string) => string | undefined) | null): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`open ${path}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(err)}`);
  }
  const out: string[] = [];
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (key === '') throw new Error(`invalid variable at line ${i + 1}: no variable name`);
    if (/\s/.test(key)) throw new Error(`variable '${key.trim()}' contains whitespaces`);
    if (eq >= 0) out.push(line);
    else if (lookup !== null) {
      const v = lookup(key);
      if (v !== undefined) out.push(`${key}=${v}`);
    } else out.push(line);
  });
  return out;
}

/** `-e KEY` takes the client's value when set (opts.ValidateEnv). */
export function expandEnv(entry: string, env: NodeJS.ProcessEnv): string {
  const eq = entry.indexOf('=');
  const key = eq < 0 ? entry : entry.slice(0, eq);
  if (key === '') throw new Error(`invalid environment variable: ${entry}`);
  if (eq >= 0) return entry;
  const v = env[key];
  return v === undefined ? entry : `${key}=${v}`;
}

/** `k=v` list to a map; `k` alone maps to "" (labels). */
export function toLabelMap(entries: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq < 0) out[e] = '';
    else out[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return out;
}
