/** docker top: host `ps` filtered to the container's pids (moby daemon/top_unix.go algorithm). */
import { invalidArgument, internal } from '../core/index.js';
import type { RuntimeContext } from './context.js';
import { cliFor } from './context.js';

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** Keeps the header and the rows whose PID column is one of pids; extra fields join into the last column. */
export function filterPsOutput(output: string, pids: number[]): TopResult {
  const lines = output.split('\n');
  const Titles = (lines[0] ?? '').trim().split(/\s+/).filter((t) => t !== '');
  const pidIndex = Titles.indexOf('PID');
  if (pidIndex < 0) throw invalidArgument("Couldn't find PID field in ps output");
  const wanted = new Set(pids);
  const Processes: string[][] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const fields = line.trim().split(/\s+/);
    const p = Number(fields[pidIndex]);
    if (!Number.isInteger(p)) throw internal(`Unexpected pid '${fields[pidIndex] ?? ''}'`);
    if (!wanted.has(p)) continue;
    const n = Titles.length;
    Processes.push(fields.length > n ? [...fields.slice(0, n - 1), fields.slice(n - 1).join(' ')] : fields);
  }
  return { Titles, Processes };
}

/** Runs `ps` (default -ef) on the host and keeps the container's processes. */
export async function topContainer(ctx: RuntimeContext, id: string, psArgs?: string): Promise<TopResult> {
  const pids = await cliFor(ctx, id).ps(id);
  const args = (psArgs ?? '-ef').trim().split(/\s+/).filter((a) => a !== '');
  const r = await ctx.host.run('ps', args.length > 0 ? args : ['-ef']);
  if (r.code !== 0) throw invalidArgument(`ps: ${r.stderr.trim() || `exit ${r.code}`}`);
  return filterPsOutput(r.stdout, pids);
}
