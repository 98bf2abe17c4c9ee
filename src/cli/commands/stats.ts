/**
 * `berth stats [OPTIONS] [CONTAINER...]` (docker/cli cli/command/container/stats.go): one stats
 * stream per container, a table redrawn every half second on a terminal (cursor home, erase
 * line, erase below, as docker does) or printed anew every second elsewhere; `--no-stream`
 * prints one table. Without names it shows the running containers (all with -a), refreshing
 * the list by polling (docker follows /events).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, StatsResponse } from '../../client/index.js';
import { jsonObjects } from '../../client/index.js';
import { StatusError, describe, helpFlag, type CommandDef, type Ctx } from '../command.js';
import { DEFAULT_STATS_FORMAT, STATS_HEADERS, emptyEntry, entryFromStats, statsRow, type StatsEntry } from '../format/stats-entry.js';
import { renderRows } from '../format/table.js';
import { shortId } from '../format/units.js';

/** docker/cli resets a container's figures when no sample came for this long. */
const STALE_MS = 2000;

/** One container being watched. */
class Slot {
  entry: StatsEntry;
  error: unknown;
  lastSample = 0;
  readonly ac = new AbortController();
  /** Resolves at the first sample, error or end. */
  readonly first: Promise<void>;
  private settle!: () => void;

  constructor(readonly container: string) {
    this.entry = emptyEntry(container);
    this.first = new Promise((resolve) => (this.settle = resolve));
  }

  /** Reads samples until the stream ends (or only the first one without streaming). */
  async collect(client: Client, stream: boolean): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const res = await client.containerStats(this.container, { stream, signal: this.ac.signal });
      // as docker: the wait for a first sample starts once the daemon has answered
      timer = setTimeout(() => this.fail(new Error('timeout waiting for stats')), STALE_MS);
      for await (const v of jsonObjects<StatsResponse>(res)) {
        this.entry = entryFromStats(this.container, v);
        this.error = undefined;
        this.lastSample = Date.now();
        clearTimeout(timer);
        this.settle();
        if (!stream) break;
      }
      if ((stream || this.lastSample === 0) && !this.ac.signal.aborted) this.fail(new Error('EOF'));
    } catch (err) {
      if (!this.ac.signal.aborted) this.fail(err);
    } finally {
      clearTimeout(timer);
      this.settle();
    }
  }

  private fail(err: unknown): void {
    this.error = err;
    this.entry = { ...this.entry, isInvalid: true };
    this.settle();
  }

  /** The figures to show: reset when the last sample is too old (docker's "timeout waiting for stats"). */
  current(now: number): StatsEntry {
    if (this.lastSample > 0 && now - this.lastSample > STALE_MS && !this.entry.isInvalid) {
      return { ...emptyEntry(this.container), name: this.entry.name, id: this.entry.id, isInvalid: true };
    }
    return this.entry;
  }
}

/** The watched containers, in the order they were added. */
class Slots {
  readonly list: Slot[] = [];

  constructor(private readonly client: Client, private readonly stream: boolean) {}

  add(container: string): void {
    if (this.list.some((s) => s.container === container)) return;
    const slot = new Slot(container);
    this.list.push(slot);
    void slot.collect(this.client, this.stream);
  }

  /** Keeps only `keep` (short ids); the others' streams are closed. */
  retain(keep: Set<string>): void {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const s = this.list[i]!;
      if (keep.has(s.container)) continue;
      s.ac.abort();
      this.list.splice(i, 1);
    }
  }

  firstSamples(): Promise<void[]> {
    return Promise.all(this.list.map((s) => s.first));
  }

  closeAll(): void {
    for (const s of this.list) s.ac.abort();
  }
}

/** Short ids of the containers `stats` shows without names. */
async function listIds(client: Client, all: boolean): Promise<string[]> {
  return (await client.containerList({ all })).map((c) => shortId(c.Id));
}

/** A terminal frame: cursor home, each line then erase-to-end-of-line, then erase below. */
function frame(table: string): string {
  const lines = table.split('\n').map((l) => `${l}\x1b[K`);
  return `\x1b[H${lines.join('\n')}\n\x1b[J`;
}

async function runStats(ctx: Ctx, o: { all: boolean; noStream: boolean; trunc: boolean; format: string }, names: string[]): Promise<number> {
  const client = ctx.client();
  const slots = new Slots(client, !o.noStream);
  const showAll = names.length === 0;
  try {
    for (const id of showAll ? await listIds(client, o.all) : names) slots.add(id);
    await slots.firstSamples();
    if (!showAll) {
      const errors = slots.list.filter((s) => s.error !== undefined).map((s) => describe(s.error));
      if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
    }
    const format = o.format === '' || o.format === 'table' ? DEFAULT_STATS_FORMAT : o.format;
    const render = (): string => {
      const now = Date.now();
      return renderRows(slots.list.map((s) => statsRow(s.current(now), o.trunc)), { format, headers: STATS_HEADERS });
    };
    if (o.noStream) {
      ctx.out(render());
      return 0;
    }
    const tty = ctx.stdout.isTTY === true;
    let lastList = Date.now();
    for (;;) {
      ctx.out(tty ? frame(render()) : render());
      await sleep(tty ? 500 : 1000);
      if (showAll && Date.now() - lastList >= 1000) {
        lastList = Date.now();
        const ids = await listIds(client, o.all);
        slots.retain(new Set(ids));
        for (const id of ids) slots.add(id);
      }
    }
  } finally {
    slots.closeAll();
  }
}

export const stats: CommandDef = {
  name: 'stats',
  usage: 'stats [OPTIONS] [CONTAINER...]',
  short: 'Display a live stream of container(s) resource usage statistics',
  flags: [
    { name: 'all', short: 'a', kind: 'bool', help: 'Show all containers (default shows just running)' },
    { name: 'format', kind: 'string', help: 'Format output using a custom template' },
    { name: 'no-stream', kind: 'bool', help: 'Disable streaming stats and only pull the first result' },
    { name: 'no-trunc', kind: 'bool', help: 'Do not truncate output' },
    helpFlag,
  ],
  args: { min: 0 },
  async run(ctx, p, args) {
    return runStats(ctx, { all: p.bool('all'), noStream: p.bool('no-stream'), trunc: !p.bool('no-trunc'), format: p.str('format') ?? '' }, args);
  },
};
