import { copyRaw, demux } from '../../client/streams.js';
import { helpFlag, type CommandDef } from '../command.js';

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * docker's timetypes.GetTimestamp: Go durations ("10m", "1h30m") are relative to now,
 * RFC 3339 dates are absolute; unix timestamps pass through. Answers `sec.nanos`.
 */
export function toTimestamp(value: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  const dur = /^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.test(value);
  if (dur) {
    let ns = 0;
    for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ns += Number(m[1]) * UNIT_NS[m[2]!]!;
    const t = now - ns / 1e6;
    return (t / 1000).toFixed(9);
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new Error(`invalid value for "since": failed to parse value as time or duration: "${value}"`);
  return (parsed / 1000).toFixed(9);
}

export const logs: CommandDef = {
  name: 'logs',
  usage: 'logs [OPTIONS] CONTAINER',
  short: 'Fetch the logs of a container',
  flags: [
    { name: 'details', kind: 'bool', help: 'Show extra details provided to logs' },
    { name: 'follow', short: 'f', kind: 'bool', help: 'Follow log output' },
    { name: 'since', kind: 'string', help: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    { name: 'tail', short: 'n', kind: 'string', help: 'Number of lines to show from the end of the logs', defaultText: '"all"' },
    { name: 'timestamps', short: 't', kind: 'bool', help: 'Show timestamps' },
    { name: 'until', kind: 'string', help: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    helpFlag,
  ],
  args: { exact: 1 },
  async run(ctx, p, args) {
    const client = ctx.client();
    const info = await client.containerInspect(args[0]!);
    const res = await client.containerLogs(info.Id, {
      stdout: true, stderr: true, follow: p.bool('follow'), timestamps: p.bool('timestamps'), details: p.bool('details'),
      tail: p.str('tail') ?? 'all',
      ...(p.has('since') ? { since: toTimestamp(p.str('since')!) } : {}),
      ...(p.has('until') ? { until: toTimestamp(p.str('until')!) } : {}),
    });
    if (info.Config.Tty === true) await copyRaw(res, ctx.stdout);
    else await demux(res, { stdout: ctx.stdout, stderr: ctx.stderr });
    return 0;
  },
};
