/** `events` / `system events`: the daemon's event stream, as docker/cli cli/command/system/events.go. */
import type { ApiResponse } from '../../client/wire.js';
import type { EventsOptions, Filters } from '../../client/index.js';
import { StatusError, helpFlag, type CommandDef, type Ctx } from '../command.js';
import type { Parsed } from '../flags.js';
import { EMPTY_EVENT, eventView, formatEventLine, parseEvent, restoreTimeNano, type EventMessage } from '../format/events.js';
import { Template } from '../format/template.js';
import { getTimestamp } from '../opts/timestamp.js';

/** docker's FilterOpt.Set: `name=value`, the name trimmed and lower-cased, the value trimmed. */
function checkFilter(value: string): string {
  if (value === '') return value;
  const eq = value.indexOf('=');
  if (eq < 0) throw new Error('bad format of filter (expected name=value)');
  return `${value.slice(0, eq).trim().toLowerCase()}=${value.slice(eq + 1).trim()}`;
}

function filters(values: string[]): Filters {
  const out: Filters = {};
  for (const v of values.filter((x) => x !== '')) {
    const eq = v.indexOf('=');
    (out[v.slice(0, eq)] ??= []).push(v.slice(eq + 1));
  }
  return out;
}

/** A renderer for `--format` (`json` = `{{json .}}`), checked once on an empty event; exit 64 when bad. */
function makeRenderer(format: string): (e: EventMessage) => string {
  if (format === '') return (e) => formatEventLine(e);
  const src = format === 'json' ? '{{json .}}' : format;
  let tmpl: Template;
  try {
    tmpl = new Template(src);
    tmpl.execute(eventView(EMPTY_EVENT, src));
  } catch (err) {
    throw new StatusError(64, `Error parsing format: ${(err as Error).message}`);
  }
  return (e) => {
    let text: string;
    try {
      text = tmpl.execute(eventView(e, src));
    } catch (err) {
      // JSON has no exact int64: `{{json .TimeNano}}` falls back to a double, as a JS reader would see it
      if (!(err instanceof TypeError)) throw err;
      text = tmpl.execute(eventView(e, src, { exactNano: false }));
    }
    return `${restoreTimeNano(text)}\n`;
  };
}

/** The request options: `--since`/`--until` converted as docker's client does (GetTimestamp). */
function eventsOptions(p: Parsed, signal: AbortSignal): EventsOptions {
  const now = new Date();
  const opts: EventsOptions = { filters: filters(p.list('filter')), signal };
  if (p.str('since')) opts.since = getTimestamp(p.str('since')!, now);
  if (p.str('until')) opts.until = getTimestamp(p.str('until')!, now);
  return opts;
}

/** Lines of a newline-delimited body. */
async function* lines(res: ApiResponse): AsyncGenerator<string> {
  let buf = '';
  for await (const chunk of res) {
    buf += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line !== '') yield line;
    }
  }
  if (buf.trim() !== '') yield buf.trim();
}

/** Calls `fn` on the first SIGINT/SIGTERM (docker's TerminationSignals); answers the undo. */
function onTermination(fn: () => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.once(s, fn);
  return () => {
    for (const s of signals) process.removeListener(s, fn);
  };
}

/** Streams events until the daemon ends the body (`--until`) or a signal (exit 0, as docker's canceled context). */
async function runEvents(ctx: Ctx, p: Parsed): Promise<number> {
  const render = makeRenderer(p.str('format') ?? '');
  const abort = new AbortController();
  const opts = eventsOptions(p, abort.signal);
  const undo = onTermination(() => abort.abort());
  try {
    const res = await ctx.client().events(opts);
    for await (const line of lines(res)) ctx.out(render(parseEvent(line)));
  } catch (err) {
    if (abort.signal.aborted) return 0;
    throw err;
  } finally {
    undo();
  }
  return 0;
}

/** `events [OPTIONS]` (also `system events`). */
export const events: CommandDef = {
  name: 'events',
  usage: 'events [OPTIONS]',
  short: 'Get real time events from the server',
  flags: [
    { name: 'filter', short: 'f', kind: 'list', valueName: 'filter', help: 'Filter output based on conditions provided', validate: checkFilter },
    { name: 'format', kind: 'string', help: 'Format output using a custom template' },
    { name: 'since', kind: 'string', help: 'Show all events created since timestamp' },
    { name: 'until', kind: 'string', help: 'Stream events until this timestamp' },
    helpFlag,
  ],
  args: { none: true },
  run: runEvents,
};
