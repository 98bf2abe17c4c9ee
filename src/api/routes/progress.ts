/**
 * Docker's JSON progress streams (pull, push, load, import). The 200 answer starts with the first
 * message: a failure before it gets a proper status code (a pull of an unknown image is a 404, as
 * with dockerd); a failure after it becomes an error message in the stream.
 */
import type { JsonMessage } from '../../protocol/index.js';
import { messageOf } from '../errors.js';
import type { Ctx } from '../router.js';

export async function progressStream(ctx: Ctx, work: (send: (m: JsonMessage) => void) => Promise<void>): Promise<void> {
  let out: { write(d: string): void; end(): void } | undefined;
  const send = (m: JsonMessage): void => {
    out ??= ctx.reply.stream('application/json');
    out.write(JSON.stringify(m) + '\r\n');
  };
  try {
    await work(send);
  } catch (err) {
    if (!out) throw err;
    const message = messageOf(err);
    send({ errorDetail: { message }, error: message });
  }
  (out ?? ctx.reply.stream('application/json')).end();
}
