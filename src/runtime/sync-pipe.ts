/**
 * conmon's sync pipe protocol (src/parent_pipe_fd.c, api-version 1): one JSON line per message,
 * `{"data": N}` or `{"data": N, "message": "…"}`. After create, N is the container pid; a
 * negative N carries the runtime's stderr in `message`.
 */
import { z } from 'zod';

const SyncMessage = z.object({ data: z.number().int(), message: z.string().optional() });

export type SyncResult = { ok: true; pid: number } | { ok: false; message: string };

/** Parses the first sync-pipe line (undefined = conmon closed the pipe without a word). */
export function parseSyncLine(line: string | undefined): SyncResult {
  if (line === undefined || line.trim() === '') {
    return { ok: false, message: 'container create failed (no message from conmon)' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, message: `malformed message from conmon: ${line.slice(0, 200)}` };
  }
  const parsed = SyncMessage.safeParse(raw);
  if (!parsed.success) return { ok: false, message: `malformed message from conmon: ${line.slice(0, 200)}` };
  const { data, message } = parsed.data;
  if (data > 0 && message === undefined) return { ok: true, pid: data };
  return { ok: false, message: message ?? `container create failed (conmon reported ${data})` };
}
