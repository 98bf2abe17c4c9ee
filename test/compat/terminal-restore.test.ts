/**
 * The client's terminal goes raw for `run -it` and is restored on every way out: a normal exit,
 * a detach, and the daemon going away mid-session. Checked in a real terminal (tmux) by reading
 * `stty -a` after the client returns: `icanon` and `echo` must be back on.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { clientCommand, uniqueName } from '../helpers/docker.js';
import { loadBusybox } from '../helpers/image.js';
import { DOCKER_BIN, IS_ROOT } from '../helpers/paths.js';
import { TmuxServer, type TmuxSession } from '../helpers/tmux.js';

const skip = IS_ROOT ? false : 'needs root';
const PROMPT = /^\/ #/m;

describe('the terminal is restored on every exit path', { skip }, () => {
  let d: TestDaemon;
  let tmux: TmuxServer;
  let work: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-restore-'));
    tmux = new TmuxServer();
    d = await startDaemon();
    await loadBusybox(d.socket);
  });
  after(async () => {
    await tmux?.close();
    await d?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  for (const kind of ['berth', 'docker'] as const) {
    const kskip = kind === 'docker' && !existsSync(DOCKER_BIN) ? `no docker CLI at ${DOCKER_BIN}` : false;
    const client = (): string => clientCommand(kind, d.host, join(work, 'docker-config'));

    /** Runs the client, then prints the terminal's mode flags as `MODE= icanon echo` (or -icanon …). */
    const session = (args: string): Promise<TmuxSession> =>
      tmux.session(
        `${client()} ${args}; rc=$?; mode=$(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '); printf '\\nMODE=%s END\\n' "$mode"; (exit $rc)`,
        { cols: 100, rows: 30 },
      );
    const assertRestored = async (s: TmuxSession): Promise<void> => {
      const m = await s.waitFor(/^MODE=(.*) END$/m, { timeoutMs: 10_000, what: 'terminal mode after the client' });
      assert.match(m[1]!, /(^| )icanon( |$)/, `canonical mode back on: ${m[1]}`);
      assert.match(m[1]!, /(^| )echo( |$)/, `echo back on: ${m[1]}`);
    };

    describe(`${kind} CLI`, { skip: kskip }, () => {
      it('after a normal exit', async () => {
        const s = await session('run -it --rm busybox sh');
        try {
          await s.waitFor(PROMPT, { what: 'shell prompt' });
          await s.line('exit 2');
          await assertRestored(s);
          assert.equal(await s.waitExit(), 2);
        } finally {
          await s.kill();
        }
      });

      it('after a detach', async () => {
        const s = await session(`run -it --name ${uniqueName('rst')} busybox sh`);
        try {
          await s.waitFor(PROMPT, { what: 'shell prompt' });
          await s.keys('C-p', 'C-q');
          await assertRestored(s);
          assert.equal(await s.waitExit(), 0);
        } finally {
          await s.kill();
        }
      });
    });
  }

  it('when the daemon goes away mid-session (both clients)', async () => {
    const clients: Array<'berth' | 'docker'> = existsSync(DOCKER_BIN) ? ['berth', 'docker'] : ['berth'];
    const sessions: TmuxSession[] = [];
    try {
      for (const kind of clients) {
        const cmd = clientCommand(kind, d.host, join(work, 'docker-config'));
        const s = await tmux.session(
          `${cmd} run -it busybox sh; rc=$?; mode=$(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '); printf '\\nMODE=%s END\\n' "$mode"; (exit $rc)`,
          { cols: 100, rows: 30 },
        );
        sessions.push(s);
        await s.waitFor(PROMPT, { what: `${kind} shell prompt` });
      }
      await d.terminate(); // SIGTERM: berthd stops serving, containers keep running
      for (const s of sessions) {
        const m = await s.waitFor(/^MODE=(.*) END$/m, { timeoutMs: 10_000, what: 'terminal mode after the daemon left' });
        assert.match(m[1]!, /(^| )icanon( |$)/, `canonical mode back on: ${m[1]}`);
        assert.match(m[1]!, /(^| )echo( |$)/, `echo back on: ${m[1]}`);
        assert.notEqual(await s.waitExit(), 0, 'the client reports the lost daemon');
      }
    } finally {
      for (const s of sessions) await s.kill();
      // a new daemon on the same dirs re-adopts the containers, so stop() can remove them
      d = await startDaemon({ dir: d.dir });
    }
  });
});
