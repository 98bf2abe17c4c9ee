/**
 * Interactive containers (issue 3) through a real terminal: each client (the berth CLI and the
 * real docker CLI, both against one berthd) runs inside a tmux session of a fixed size, and the
 * test types into it and reads the screen. Covers run -it, detach keys and re-attach, exec -it,
 * resize, byte-exact stdin without a TTY, signals and exit codes, and clients that vanish
 * mid-stream. Assertions follow Docker's behaviour.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { ok, cliFor, clientCommand, runProgram, uniqueName, type Cli, type CliResult } from '../helpers/docker.js';
import { hijack } from '../helpers/hijack.js';
import { api } from '../helpers/http.js';
import { loadBusybox } from '../helpers/image.js';
import { BERTH_BIN, DOCKER_BIN, IS_ROOT } from '../helpers/paths.js';
import { shq, TmuxServer, type TmuxSession } from '../helpers/tmux.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hasTmux = (() => {
  for (const d of (process.env['PATH'] ?? '/usr/bin:/bin').split(':')) if (existsSync(join(d, 'tmux'))) return true;
  return false;
})();
const skip = !IS_ROOT ? 'needs root' : !hasTmux ? 'needs tmux' : false;

/** busybox sh's prompt for root */
const PROMPT = /^\/ #/m;
const PTS = /^\/dev\/pts\/\d+$/m;
const COLS = 100;
const ROWS = 30;
const BIG = 50 * 1024 * 1024;


describe('interactive containers in a real terminal (tmux)', { skip }, () => {
  let d: TestDaemon;
  let tmux: TmuxServer;
  let work: string;
  let dockerConfig: string;
  let bigFile: string;
  let bigSha: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-interactive-'));
    dockerConfig = join(work, 'docker-config');
    tmux = new TmuxServer();
    d = await startDaemon();
    await loadBusybox(d.socket);
    // 50 MiB of random bytes and their sha256
    bigFile = join(work, 'big.bin');
    const fh = await open(bigFile, 'w');
    const hash = createHash('sha256');
    for (let off = 0; off < BIG; off += 1 << 20) {
      const chunk = randomBytes(1 << 20);
      hash.update(chunk);
      await fh.write(chunk);
    }
    await fh.close();
    bigSha = hash.digest('hex');
  });
  after(async () => {
    await tmux?.close();
    await d?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  for (const kind of ['berth', 'docker'] as const) {
    const kskip = kind === 'docker' && !existsSync(DOCKER_BIN) ? `no docker CLI at ${DOCKER_BIN}` : false;

    describe(`${kind} CLI`, { skip: kskip }, () => {
      let cli: Cli;
      before(() => {
        cli = cliFor(kind, d.host);
      });

      /** The client as a shell command prefix. */
      const client = (): string => clientCommand(kind, d.host, dockerConfig);
      /** The client as argv + env, for spawning it ourselves. */
      const clientArgv = (args: string[]): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } =>
        kind === 'berth'
          ? { cmd: BERTH_BIN, args: ['-H', d.host, ...args], env: { ...process.env } }
          : {
              cmd: DOCKER_BIN,
              args,
              env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: dockerConfig, DOCKER_CLI_HINTS: 'false' },
            };

      /** Runs `<client> args` in a new tmux session; `fn` drives it; the session is killed after. */
      async function inTerminal<T>(args: string, fn: (s: TmuxSession) => Promise<T>, size = { cols: COLS, rows: ROWS }): Promise<T> {
        const s = await tmux.session(`${client()} ${args}`, size);
        try {
          return await fn(s);
        } finally {
          await s.kill();
        }
      }

      /** Types `cmd` + Enter and waits for `expect` in the output that follows. */
      async function typeAndExpect(s: TmuxSession, cmd: string, expect: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> {
        const from = await s.mark();
        await s.line(cmd);
        return s.waitFor(expect, { from, timeoutMs, what: `after typing ${JSON.stringify(cmd)}` });
      }

      /**
       * For clients whose start we cannot see (attach prints nothing): presses Enter until the
       * shell answers with a fresh prompt, so the keys typed next reach the container.
       */
      async function pokeUntilPrompt(s: TmuxSession, timeoutMs = 8000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const from = await s.mark();
          await s.keys('Enter');
          try {
            await s.waitFor(PROMPT, { from, timeoutMs: 700, what: 'prompt after Enter' });
            return;
          } catch (err) {
            if (Date.now() > deadline) throw err;
          }
        }
      }

      async function inspect(name: string, format: string): Promise<string> {
        return ok(await cli(['inspect', '-f', format, name]), `inspect ${name}`).stdout.trim();
      }
      async function waitState(name: string, running: boolean, timeoutMs = 10_000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const r = await cli(['inspect', '-f', '{{.State.Running}}', name]);
          if (r.code === 0 && r.stdout.trim() === String(running)) return;
          if (Date.now() > deadline) {
            assert.fail(`${name}: State.Running did not become ${running} within ${timeoutMs} ms (last: ${r.stdout.trim()} ${r.stderr.trim()})`);
          }
          await sleep(100);
        }
      }
      async function runDetached(args: string[]): Promise<string> {
        const name = uniqueName(`${kind}-bg`);
        ok(await cli(['run', '-d', '--name', name, ...args]), `run -d ${args.join(' ')}`);
        return name;
      }
      const remove = async (name: string) => {
        await cli(['rm', '-f', name]).catch(() => {});
      };

      describe('run -it', () => {
        it('runs a shell on a pty: arithmetic, tty, exit code', async () => {
          const name = uniqueName(`${kind}-it`);
          await inTerminal(`run -it --rm --name ${name} busybox sh`, async (s) => {
            await s.waitFor(PROMPT, { what: 'shell prompt' });
            await typeAndExpect(s, 'echo $((6*7))', /^42$/m);
            await typeAndExpect(s, 'tty', PTS);
            await s.line('exit 3');
            assert.equal(await s.waitExit(), 3, 'the client exits with the shell\'s exit code');
          });
        });

        it('Ctrl-C interrupts the foreground command, not the shell', async () => {
          const name = uniqueName(`${kind}-ctrlc`);
          await inTerminal(`run -it --rm --name ${name} busybox sh`, async (s) => {
            await s.waitFor(PROMPT, { what: 'shell prompt' });
            await s.line('sleep 100');
            // wait until the sleep really runs in the container
            const deadline = Date.now() + 8000;
            for (;;) {
              const ps = await cli(['exec', name, 'ps']);
              if (/sleep 100/.test(ps.stdout)) break;
              if (Date.now() > deadline) assert.fail(`sleep 100 never showed in the container's ps:\n${ps.stdout}${ps.stderr}`);
              await sleep(100);
            }
            const from = await s.mark();
            await s.keys('C-c');
            await s.waitFor(PROMPT, { from, timeoutMs: 3000, what: 'prompt after Ctrl-C' });
            await typeAndExpect(s, 'echo $?', /^130$/m);
            await s.line('exit');
            assert.equal(await s.waitExit(), 0);
          });
        });
      });

      describe('detach and attach', () => {
        it('Ctrl-p Ctrl-q detaches (exit 0, container keeps running); attach re-connects and gets the exit code', async () => {
          const name = uniqueName(`${kind}-detach`);
          try {
            await inTerminal(`run -it --name ${name} busybox sh`, async (s) => {
              await s.waitFor(PROMPT, { what: 'shell prompt' });
              await typeAndExpect(s, 'echo first', /^first$/m);
              await s.keys('C-p', 'C-q');
              assert.equal(await s.waitExit(), 0, 'detaching exits 0');
            });
            assert.equal(await inspect(name, '{{.State.Running}}'), 'true', 'the container keeps running after the detach');
            const ps = ok(await cli(['ps', '--filter', `name=^${name}$`, '--format', '{{.Names}} {{.State}}']));
            assert.equal(ps.stdout.trim(), `${name} running`);

            await inTerminal(`attach ${name}`, async (s) => {
              await pokeUntilPrompt(s);
              await typeAndExpect(s, 'echo again', /^again$/m);
              await typeAndExpect(s, 'tty', PTS);
              await s.line('exit 5');
              assert.equal(await s.waitExit(), 5, 'attach exits with the container\'s exit code');
            });
            await waitState(name, false);
            assert.equal(await inspect(name, '{{.State.ExitCode}}'), '5');
          } finally {
            await remove(name);
          }
        });

        it('--detach-keys ctrl-x,x on run', async () => {
          const name = uniqueName(`${kind}-dkeys`);
          try {
            await inTerminal(`run -it --detach-keys ctrl-x,x --name ${name} busybox sh`, async (s) => {
              await s.waitFor(PROMPT, { what: 'shell prompt' });
              await typeAndExpect(s, 'echo before', /^before$/m);
              await s.keys('C-x', 'x');
              assert.equal(await s.waitExit(), 0, 'detaching with ctrl-x,x exits 0');
            });
            assert.equal(await inspect(name, '{{.State.Running}}'), 'true', 'the container keeps running after the detach');
          } finally {
            await remove(name);
          }
        });
      });

      describe('exec -it', () => {
        it('runs a shell on a pty in a running container; the exit code propagates', async () => {
          const name = await runDetached(['busybox', 'sleep', '1000']);
          try {
            await inTerminal(`exec -it ${name} sh`, async (s) => {
              await s.waitFor(PROMPT, { what: 'exec shell prompt' });
              await typeAndExpect(s, 'tty', PTS);
              await typeAndExpect(s, 'echo $((6*7))', /^42$/m);
              await s.line('exit 4');
              assert.equal(await s.waitExit(), 4, 'exec -it exits with the shell\'s exit code');
            });
            assert.equal(await inspect(name, '{{.State.Running}}'), 'true', 'the container outlives the exec');
          } finally {
            await remove(name);
          }
        });
      });

      describe('resize', () => {
        /** Runs `stty size` until it prints `rows cols` (resizes travel asynchronously). */
        async function expectSize(s: TmuxSession, rows: number, cols: number, timeoutMs = 5000): Promise<void> {
          const deadline = Date.now() + timeoutMs;
          const want = new RegExp(`^${rows} ${cols}$`, 'm');
          for (;;) {
            const from = await s.mark();
            await s.line('stty size');
            const m = await s.waitFor(/^\d+ \d+$/m, { from, what: 'stty size output' });
            if (want.test(m[0])) return;
            if (Date.now() > deadline) assert.fail(`stty size shows "${m[0]}", want "${rows} ${cols}"`);
            await sleep(200);
          }
        }

        it('run -it: the pty has the terminal size and follows a resize', async () => {
          const name = uniqueName(`${kind}-resize`);
          await inTerminal(`run -it --rm --name ${name} busybox sh`, async (s) => {
            await s.waitFor(PROMPT, { what: 'shell prompt' });
            await expectSize(s, ROWS, COLS);
            await s.resize(80, 20);
            await expectSize(s, 20, 80);
            await s.line('exit');
            assert.equal(await s.waitExit(), 0);
          });
        });

        it('exec -it: the pty has the terminal size and follows a resize', async () => {
          const name = await runDetached(['busybox', 'sleep', '1000']);
          try {
            await inTerminal(`exec -it ${name} sh`, async (s) => {
              await s.waitFor(PROMPT, { what: 'exec shell prompt' });
              await expectSize(s, ROWS, COLS);
              await s.resize(90, 25);
              await expectSize(s, 25, 90);
              await s.line('exit');
              assert.equal(await s.waitExit(), 0);
            });
          } finally {
            await remove(name);
          }
        });
      });

      describe('stdin without a tty is byte-exact', () => {
        /** `<client> args < bigFile | sha256sum` in bash; returns the hash. */
        async function pipeSha(args: string): Promise<string> {
          const script = `set -o pipefail; timeout 10 ${client()} ${args} < ${shq(bigFile)} | sha256sum`;
          const r = await runProgram('bash', ['-c', script], { timeoutMs: 20_000 });
          assert.equal(r.code, 0, `${args} < 50 MiB: exit ${r.code}\nstderr: ${r.stderr.slice(0, 2000)}`);
          return r.stdout.split(/\s/)[0] ?? '';
        }

        it('run -i --rm busybox cat < 50 MiB', async () => {
          assert.equal(await pipeSha('run -i --rm busybox cat'), bigSha);
        });

        it('exec -i CTR cat < 50 MiB', async () => {
          const name = await runDetached(['busybox', 'sleep', '1000']);
          try {
            assert.equal(await pipeSha(`exec -i ${name} cat`), bigSha);
          } finally {
            await remove(name);
          }
        });
      });

      describe('signals and exit codes', () => {
        it('an attached run forwards SIGTERM to the container (sig-proxy) and exits with its code', async () => {
          const name = uniqueName(`${kind}-sigproxy`);
          const c = clientArgv([
            'run', '--name', name, 'busybox', 'sh', '-c', 'trap "exit 42" TERM; echo ready; while true; do sleep 0.1; done',
          ]);
          const child = spawn(c.cmd, c.args, { env: c.env, stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.on('data', (b: Buffer) => (out += b.toString()));
          child.stderr.on('data', (b: Buffer) => (err += b.toString()));
          const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
            child.on('exit', (code, signal) => r({ code, signal })),
          );
          try {
            const deadline = Date.now() + 10_000;
            while (!out.includes('ready')) {
              if (child.exitCode !== null) assert.fail(`the client exited ${child.exitCode} early: ${out} ${err}`);
              if (Date.now() > deadline) assert.fail(`no "ready" from the container within 10 s: ${out} ${err}`);
              await sleep(50);
            }
            assert.ok(child.pid);
            process.kill(child.pid, 'SIGTERM');
            const res = await Promise.race([exited, sleep(10_000).then(() => undefined)]);
            assert.ok(res, `the client did not exit within 10 s of SIGTERM; stderr: ${err}`);
            assert.deepEqual(res, { code: 42, signal: null }, `stderr: ${err}`);
            assert.equal(await inspect(name, '{{.State.ExitCode}}'), '42');
          } finally {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await remove(name);
          }
        });

        it('stop -t 1 kills a process that ignores the stop signal after 1 s: exit code 137 (default SIGTERM and --stop-signal)', async () => {
          // sleep as PID 1 has no handler, so SIGTERM/SIGUSR1 from outside are ignored
          for (const extra of [[], ['--stop-signal', 'SIGUSR1']]) {
            const name = await runDetached([...extra, 'busybox', 'sleep', '1000']);
            try {
              const t0 = Date.now();
              ok(await cli(['stop', '-t', '1', name]), `stop ${extra.join(' ')}`);
              const ms = Date.now() - t0;
              assert.ok(ms >= 900, `stop ${extra.join(' ')} returned after ${ms} ms, before the 1 s grace period`);
              assert.ok(ms < 8000, `stop ${extra.join(' ')} took ${ms} ms`);
              assert.equal(await inspect(name, '{{.State.ExitCode}}'), '137', `exit code after stop ${extra.join(' ')}`);
              assert.equal(await inspect(name, '{{.State.Running}}'), 'false');
            } finally {
              await remove(name);
            }
          }
        });

        it('stop sends the --stop-signal first', async () => {
          const name = await runDetached([
            '--stop-signal', 'SIGUSR1', 'busybox', 'sh', '-c', 'trap "exit 12" USR1; echo ready; while true; do sleep 0.1; done',
          ]);
          try {
            const deadline = Date.now() + 10_000;
            while (!(await cli(['logs', name])).stdout.includes('ready')) {
              if (Date.now() > deadline) assert.fail('no "ready" in the logs within 10 s');
              await sleep(100);
            }
            const t0 = Date.now();
            ok(await cli(['stop', '-t', '20', name]));
            assert.ok(Date.now() - t0 < 5000, `stop took ${Date.now() - t0} ms: SIGUSR1 should have ended it at once`);
            assert.equal(await inspect(name, '{{.State.ExitCode}}'), '12');
          } finally {
            await remove(name);
          }
        });

        it('a process killed by SIGTERM reports 143 (container with --init, and exec)', async () => {
          const name = await runDetached(['--init', 'busybox', 'sleep', '1000']);
          try {
            const r = await cli(['exec', name, 'sh', '-c', 'kill -TERM $$']);
            assert.equal(r.code, 143, `exec killed by SIGTERM: exit ${r.code} ${r.stderr}`);
            const t0 = Date.now();
            ok(await cli(['stop', '-t', '20', name]));
            assert.ok(Date.now() - t0 < 5000, `stop took ${Date.now() - t0} ms: the init should forward SIGTERM to sleep`);
            assert.equal(await inspect(name, '{{.State.ExitCode}}'), '143');
          } finally {
            await remove(name);
          }
        });
      });

      describe('clients that disconnect mid-stream', () => {
        it('attach clients that vanish without reading do not block the container or the daemon', async () => {
          const name = await runDetached([
            'busybox', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo "line $i"; sleep 0.01; done',
          ]);
          const lastLine = async (): Promise<number> => {
            const r = ok(await cli(['logs', '--tail', '1', name]));
            const m = /line (\d+)/.exec(r.stdout);
            assert.ok(m, `logs --tail 1: ${JSON.stringify(r.stdout)}`);
            return Number(m[1]);
          };
          try {
            // hijacked, then destroyed without reading a byte of the stream
            for (const q of ['stream=1&stdout=1&stderr=1', 'stream=1&stdin=1&stdout=1&stderr=1', 'logs=1&stream=1&stdout=1&stderr=1']) {
              const h = await hijack(d.socket, `/containers/${name}/attach?${q}`);
              assert.match(h.head, /^HTTP\/1\.1 101/);
              h.socket.destroy();
            }
            // gone before the answer even arrived
            for (let i = 0; i < 3; i++) {
              await new Promise<void>((resolve, reject) => {
                const s = connect(d.socket);
                s.on('error', reject);
                s.on('connect', () => {
                  s.write(
                    `POST /containers/${name}/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: docker\r\n` +
                      'Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n',
                    () => {
                      s.destroy();
                      resolve();
                    },
                  );
                });
              });
            }
            await sleep(300);
            const a = await lastLine();
            await sleep(700);
            const b = await lastLine();
            assert.ok(b > a, `the container's output stalled: line ${a}, then ${b} 700 ms later`);
            assert.equal(await inspect(name, '{{.State.Running}}'), 'true');
            const ping = await api(d.socket, { path: '/_ping', timeoutMs: 3000 });
            assert.equal(ping.status, 200);
            assert.equal(ping.text, 'OK');
            // a new attach client still gets live output
            const h = await hijack(d.socket, `/containers/${name}/attach?stream=1&stdout=1&stderr=1`);
            try {
              const deadline = Date.now() + 5000;
              while (!/line \d+/.test(h.received().toString())) {
                if (Date.now() > deadline) assert.fail('a new attach client received no output within 5 s');
                await sleep(50);
              }
            } finally {
              h.socket.destroy();
            }
            const c = await lastLine();
            assert.ok(c > b, `the container's output stalled after the last attach: line ${b}, then ${c}`);
          } finally {
            await remove(name);
          }
        });
      });
    });
  }
});
