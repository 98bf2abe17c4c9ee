/**
 * `docker cp` and the container archive API (issue 6), for the real docker CLI and the berth CLI
 * against berthd (one suite, run for both; each with its own daemon): host trees into a running
 * container and back byte-exact (content, modes, links, mtimes), stopped containers, tar streams
 * with `-`, ownership with and without -a, hostile in-container symlinks that must resolve
 * inside the container, and Docker's errors. Then the raw API: stat header, statuses, and
 * crafted archives that must not write outside the target directory.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import {
  chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync,
  symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { buildTar } from '../fixtures/image/tar.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { ok, cliFor, clientCommand, runProgram, uniqueName, type Cli, type CliResult } from '../helpers/docker.js';
import { api } from '../helpers/http.js';
import { loadBusybox } from '../helpers/image.js';
import { DOCKER_BIN, IS_ROOT } from '../helpers/paths.js';


const MTIME = new Date('2024-03-04T05:06:07Z');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A host tree with files of several modes, a subdir, a symlink, a hard link and fixed mtimes. */
function makeTree(dir: string): void {
  mkdirSync(join(dir, 'sub', 'private'), { recursive: true });
  writeFileSync(join(dir, 'a.txt'), Buffer.alloc(1000, 'a'));
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n');
  writeFileSync(join(dir, 'sub', 'random.bin'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251)));
  writeFileSync(join(dir, 'sub', 'private', 'key'), 'secret');
  writeFileSync(join(dir, 'sub', 'empty'), '');
  symlinkSync('sub/random.bin', join(dir, 'link'));
  linkSync(join(dir, 'a.txt'), join(dir, 'hard'));
  chmodSync(join(dir, 'a.txt'), 0o640);
  chmodSync(join(dir, 'run.sh'), 0o4755);
  chmodSync(join(dir, 'sub', 'private', 'key'), 0o600);
  chmodSync(join(dir, 'sub', 'empty'), 0o444);
  chmodSync(join(dir, 'sub', 'private'), 0o700);
  chmodSync(join(dir, 'sub'), 0o750);
  for (const p of ['a.txt', 'run.sh', 'sub/random.bin', 'sub/private/key', 'sub/empty', 'sub/private', 'sub', '.']) utimesSync(join(dir, p), MTIME, MTIME);
}

/** Everything that must survive a copy: type, permission bits, size, content, link target, mtime, link count. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = rel === '' ? dir : join(dir, rel);
    const st = lstatSync(abs);
    const what = st.isSymbolicLink() ? `-> ${readlinkSync(abs)}`
      : st.isFile() ? `${st.size} ${sha(readFileSync(abs))} links=${st.nlink}`
        : `dir mtime=${Math.floor(st.mtimeMs / 1000)}`;
    const mtime = st.isSymbolicLink() ? '' : ` mtime=${Math.floor(st.mtimeMs / 1000)}`;
    out.push(`${rel || '.'} ${(st.mode & 0o7777).toString(8)} ${what}${mtime}`);
    if (st.isDirectory()) for (const n of readdirSync(abs).sort()) walk(rel === '' ? n : `${rel}/${n}`);
  };
  walk('');
  return out;
}

/** Entries of a tar (name, type, mode, ids, content hash). */
async function tarEntries(buf: Buffer): Promise<string[]> {
  const ex = tar.extract();
  Readable.from([buf]).pipe(ex as unknown as NodeJS.WritableStream);
  const out: string[] = [];
  for await (const e of ex) {
    const parts: Buffer[] = [];
    for await (const c of e) parts.push(c as Buffer);
    const h = e.header;
    out.push(`${h.type} ${h.name} ${(h.mode & 0o7777).toString(8)} ${h.uid}:${h.gid}${h.type === 'file' ? ` ${sha(Buffer.concat(parts))}` : ''}${h.linkname ? ` -> ${h.linkname}` : ''}`);
  }
  return out;
}

function defineCpSuite(kind: 'docker' | 'berth'): void {
  const skip = !IS_ROOT ? 'needs root' : kind === 'docker' && !existsSync(DOCKER_BIN) ? `no docker CLI at ${DOCKER_BIN}` : false;

  describe(`${kind} CLI: cp`, { skip }, () => {
    let d: TestDaemon;
    let cli: Cli;
    let work: string;
    let tree: string;
    let running: string;
    /** A name that must never appear in the host's root directory. */
    const escapeName = uniqueName('cp-escape');

    /** Runs a shell pipeline around the client (binary tar streams). */
    const shell = (script: string): Promise<CliResult> => runProgram('sh', ['-c', script.replaceAll('CLIENT', clientCommand(kind, d.host))], { cwd: work });
    const exec = async (ctr: string, script: string): Promise<string> => ok(await cli(['exec', ctr, 'sh', '-c', script]), script).stdout;

    before(async () => {
      d = await startDaemon();
      cli = cliFor(kind, d.host);
      await loadBusybox(d.socket);
      work = mkdtempSync(join(tmpdir(), 'berth-cp-'));
      tree = join(work, 'tree');
      mkdirSync(tree);
      makeTree(tree);
      mkdirSync(join(work, 'escape'));
      writeFileSync(join(work, 'escape', 'x'), 'HOST');
      running = uniqueName('cp-run');
      ok(await cli(['run', '-d', '--name', running, 'busybox', 'sleep', '600']), 'run');
    });

    after(async () => {
      await d?.stop();
      if (work) {
        // nothing escaped to the host
        assert.equal(readFileSync(join(work, 'escape', 'x'), 'utf8'), 'HOST');
        assert.deepEqual(readdirSync(join(work, 'escape')), ['x']);
        assert.equal(existsSync(`/${escapeName}`), false, `/${escapeName} was written on the host`);
        rmSync(work, { recursive: true, force: true });
      }
    });

    it('copies a host tree into a running container and back out byte-exact', async () => {
      ok(await cli(['cp', tree, `${running}:/copied`]), 'cp in');
      const inside = await exec(running, 'cd /copied && sha256sum a.txt sub/random.bin && stat -c "%n %a %Y %h" a.txt run.sh sub sub/private sub/private/key sub/empty hard && readlink link');
      assert.match(inside, new RegExp(`${sha(readFileSync(join(tree, 'a.txt')))}\\s+a.txt`));
      assert.match(inside, new RegExp(`${sha(readFileSync(join(tree, 'sub', 'random.bin')))}\\s+sub/random.bin`));
      const t = Math.floor(MTIME.getTime() / 1000);
      for (const line of [`a.txt 640 ${t} 2`, `run.sh 4755 ${t} 1`, `sub 750 ${t}`, `sub/private 700 ${t}`, `sub/private/key 600 ${t} 1`, `sub/empty 444 ${t} 1`, `hard 640 ${t} 2`]) {
        assert.ok(inside.includes(line), `${line} in\n${inside}`);
      }
      assert.ok(inside.trimEnd().endsWith('sub/random.bin'), inside);
      ok(await cli(['cp', `${running}:/copied`, join(work, 'back')]), 'cp out');
      assert.deepEqual(snapshot(join(work, 'back')), snapshot(tree));
    });

    it('copies into an existing directory, to a new name, and a directory\'s contents with /.', async () => {
      await exec(running, 'mkdir -p /exists');
      ok(await cli(['cp', tree, `${running}:/exists`]));
      ok(await cli(['cp', `${tree}/.`, `${running}:/contents`]));
      ok(await cli(['cp', join(tree, 'a.txt'), `${running}:/exists/renamed.txt`]));
      ok(await cli(['cp', join(tree, 'a.txt'), `${running}:/exists/`]));
      const ls = await exec(running, 'ls /exists /exists/tree /contents');
      assert.match(ls, /\/exists:\na.txt\nrenamed.txt\ntree\n/);
      assert.match(ls, /\/contents:\na.txt\nhard\nlink\nrun.sh\nsub\n/);
      mkdirSync(join(work, 'into'));
      ok(await cli(['cp', `${running}:/contents/.`, join(work, 'into')]));
      ok(await cli(['cp', `${running}:/contents/sub`, join(work, 'into')]));
      ok(await cli(['cp', `${running}:/contents/a.txt`, join(work, 'new-name.txt')]));
      assert.deepEqual(readdirSync(join(work, 'into')).sort(), ['a.txt', 'hard', 'link', 'run.sh', 'sub']);
      assert.equal(readFileSync(join(work, 'new-name.txt'), 'utf8'), readFileSync(join(tree, 'a.txt'), 'utf8'));
      const noDir = await cli(['cp', join(tree, 'a.txt'), `${running}:/nodir/`]);
      assert.equal(noDir.code, 1);
      // the daemon answers before it read the upload; docker's tar goroutine may then log its
      // broken pipe, before or after the error (dockerd answers early too)
      const lines = noDir.stderr.split('\n').filter((l) => l !== '' && !/level=error msg="Can't (add file .* to|close) tar/.test(l));
      assert.deepEqual(lines, ['no such directory'], noDir.stderr);
      const dirOnFile = await cli(['cp', tree, `${running}:/exists/renamed.txt`]);
      assert.equal(dirOnFile.code, 1);
      assert.match(dirOnFile.stderr, /(^|\n)cannot copy directory\n$/); // docker may log its tar goroutine's broken pipe first
    });

    it('copies to and from a stopped container', async () => {
      const stopped = uniqueName('cp-stopped');
      ok(await cli(['create', '--name', stopped, 'busybox', 'true']));
      ok(await cli(['cp', tree, `${stopped}:/tmp/in-stopped`]));
      ok(await cli(['cp', `${stopped}:/tmp/in-stopped`, join(work, 'from-stopped')]));
      assert.deepEqual(snapshot(join(work, 'from-stopped')), snapshot(tree));
      ok(await cli(['cp', `${stopped}:/etc/passwd`, join(work, 'passwd')]));
      assert.match(readFileSync(join(work, 'passwd'), 'utf8'), /^berth:x:1000:1000:/m);
      ok(await cli(['start', stopped]));
      ok(await cli(['wait', stopped]));
      ok(await cli(['cp', `${stopped}:/tmp/in-stopped/sub/random.bin`, join(work, 'exited.bin')]));
      assert.equal(sha(readFileSync(join(work, 'exited.bin'))), sha(readFileSync(join(tree, 'sub', 'random.bin'))));
    });

    it('streams a tar on stdout and reads one on stdin with -', async () => {
      ok(await shell(`CLIENT cp ${running}:/copied - > out.tar`), 'cp -');
      const entries = await tarEntries(readFileSync(join(work, 'out.tar')));
      assert.deepEqual(entries.map((e) => e.split(' ').slice(0, 2).join(' ')), [
        'directory copied/', 'file copied/a.txt', 'link copied/hard', 'symlink copied/link', 'file copied/run.sh', 'directory copied/sub/',
        'file copied/sub/empty', 'directory copied/sub/private/', 'file copied/sub/private/key', 'file copied/sub/random.bin',
      ]);
      assert.ok(entries.includes(`file copied/run.sh 4755 0:0 ${sha(readFileSync(join(tree, 'run.sh')))}`), entries.join('\n'));
      assert.ok(entries.includes('symlink copied/link 777 0:0 -> sub/random.bin'), entries.join('\n'));
      await exec(running, 'mkdir -p /stdin');
      ok(await shell(`tar -C ${tree} -cf - . | CLIENT cp - ${running}:/stdin`), 'cp - in');
      ok(await cli(['cp', `${running}:/stdin`, join(work, 'stdin-back')]));
      assert.deepEqual(snapshot(join(work, 'stdin-back')).slice(1), snapshot(tree).slice(1));
      const notDir = await shell(`tar -C ${tree} -cf - . | CLIENT cp - ${running}:/copied/a.txt`);
      assert.equal(notDir.code, 1);
      assert.equal(notDir.stderr, `destination "${running}:/copied/a.txt" must be a directory\n`);
    });

    it('keeps the archive\'s uid/gid, and gives files to the container user with -a', async () => {
      await exec(running, 'echo owned > /owned && chown 1234:5678 /owned');
      for (const flags of [[], ['-a']]) {
        ok(await shell(`CLIENT cp ${flags.join(' ')} ${running}:/owned - > owned.tar`));
        assert.deepEqual(await tarEntries(readFileSync(join(work, 'owned.tar'))), [`file owned 644 1234:5678 ${sha(Buffer.from('owned\n'))}`]);
      }
      const hostFile = join(work, 'host-owned');
      writeFileSync(hostFile, 'mine');
      chownSync(hostFile, 1234, 5678);
      ok(await cli(['cp', hostFile, `${running}:/plain`]));
      ok(await cli(['cp', '-a', hostFile, `${running}:/archived`]));
      assert.equal(await exec(running, 'stat -c "%u:%g" /plain /archived'), '1234:5678\n1234:5678\n');
      const asUser = uniqueName('cp-user');
      ok(await cli(['run', '-d', '--name', asUser, '--user', 'berth', 'busybox', 'sleep', '600']));
      ok(await cli(['cp', '-a', hostFile, `${asUser}:/tmp/archived`]));
      ok(await cli(['cp', hostFile, `${asUser}:/tmp/plain`]));
      assert.equal(await exec(asUser, 'stat -c "%u:%g" /tmp/archived /tmp/plain'), '1000:1000\n1234:5678\n');
      ok(await cli(['cp', `${running}:/owned`, join(work, 'owned-out')]));
      assert.equal(lstatSync(join(work, 'owned-out')).uid, 0, 'copies to the host belong to the user running the CLI');
    });

    it('keeps hostile in-container symlinks inside the container, as destination and as source', async () => {
      const hostTarget = join(work, 'escape');
      await exec(running, [
        'ln -s / /evil',
        `ln -s ../../../..${hostTarget}/x /climb`,
        `ln -s ${hostTarget} /abs`,
        `mkdir -p ${hostTarget}`,
        `echo CONTAINER > ${hostTarget}/x`,
      ].join(' && '));
      // destinations: through /evil into the container's root, through /climb and /abs into the container's copy of the host path
      const probe = join(work, escapeName);
      writeFileSync(probe, 'probe');
      ok(await cli(['cp', probe, `${running}:/evil`]));
      assert.equal(await exec(running, `cat /${escapeName}`), 'probe');
      ok(await cli(['cp', join(tree, 'a.txt'), `${running}:/climb`]));
      ok(await cli(['cp', join(tree, 'sub'), `${running}:/abs/`]));
      assert.equal(await exec(running, `head -c 3 ${hostTarget}/x`), 'aaa');
      assert.equal(await exec(running, `ls ${hostTarget}`), 'sub\nx\n');
      // sources: followed inside the container
      await exec(running, `echo CONTAINER > ${hostTarget}/x`);
      ok(await cli(['cp', '-L', `${running}:/climb`, join(work, 'followed')]));
      assert.equal(readFileSync(join(work, 'followed'), 'utf8'), 'CONTAINER\n');
      ok(await cli(['cp', `${running}:/abs/.`, join(work, 'abs-contents')]));
      assert.deepEqual(readdirSync(join(work, 'abs-contents')).sort(), ['sub', 'x']);
      assert.equal(readFileSync(join(work, 'abs-contents', 'x'), 'utf8'), 'CONTAINER\n');
      ok(await cli(['cp', `${running}:/evil/etc/passwd`, join(work, 'evil-passwd')]));
      assert.equal(readFileSync(join(work, 'evil-passwd'), 'utf8'), await exec(running, 'cat /etc/passwd'));
      // without -L the link itself is copied, as a link
      ok(await cli(['cp', `${running}:/climb`, join(work, 'the-link')]));
      assert.equal(readlinkSync(join(work, 'the-link')), `../../../..${hostTarget}/x`);
      // the host's files were never touched (checked again after the suite)
      assert.equal(readFileSync(join(hostTarget, 'x'), 'utf8'), 'HOST');
      assert.equal(existsSync(`/${escapeName}`), false);
    });

    it('reports missing paths and containers as docker does', async () => {
      const cases: Array<[string[], string]> = [
        [['cp', `${running}:/nonexistent`, join(work, 'nope')], `Error response from daemon: Could not find the file /nonexistent in container ${running}\n`],
        [['cp', join(tree, 'a.txt'), `${running}:/nonexistent/dir/file`], `Error response from daemon: Could not find the file /nonexistent/dir in container ${running}\n`],
        [['cp', '/nonexistent-host-path', `${running}:/tmp`], 'lstat //nonexistent-host-path: no such file or directory\n'],
        [['cp', 'no-such-container:/x', join(work, 'nope')], 'Error response from daemon: No such container: no-such-container\n'],
        [['cp', `${running}:/copied/a.txt`, '/nonexistent-dir/x'], 'invalid output path: directory "/nonexistent-dir" does not exist\n'],
        [['cp', `${running}:/a`, `${running}:/b`], 'copying between containers is not supported\n'],
        [['cp', 'a', 'b'], 'must specify at least one container source\n'],
      ];
      for (const [args, stderr] of cases) {
        const r = await cli(args);
        assert.equal(r.code, 1, args.join(' '));
        assert.equal(r.stderr, stderr, args.join(' '));
      }
      assert.equal(existsSync(join(work, 'nope')), false);
    });

    it('prints docker\'s summary without -q when asked to', async () => {
      const r = ok(await cli(['cp', '-q=false', join(tree, 'a.txt'), `${running}:/tmp/`]));
      assert.equal(r.stderr, `Successfully copied 2.56kB to ${running}:/tmp/\n`);
      const out = ok(await cli(['cp', '-q=false', `${running}:/tmp/a.txt`, join(work, 'summary.txt')]));
      assert.equal(out.stderr, `Successfully copied 2.56kB to ${join(work, 'summary.txt')}\n`);
      assert.equal(ok(await cli(['cp', join(tree, 'a.txt'), `${running}:/tmp/`])).stderr, '', 'quiet without a terminal');
    });
  });
}

defineCpSuite('docker');
defineCpSuite('berth');

describe('archive API: stat header, statuses, crafted archives', { skip: !IS_ROOT && 'needs root' }, () => {
  let d: TestDaemon;
  let ctr: string;
  let work: string;

  before(async () => {
    d = await startDaemon();
    await loadBusybox(d.socket);
    work = mkdtempSync(join(tmpdir(), 'berth-cp-api-'));
    writeFileSync(join(work, 'secret'), 'untouched');
    ctr = uniqueName('cp-api');
    const created = await api(d.socket, { method: 'POST', path: `/containers/create?name=${ctr}`, body: { Image: 'busybox', Cmd: ['sleep', '600'] } });
    assert.equal(created.status, 201, created.text);
    assert.equal((await api(d.socket, { method: 'POST', path: `/containers/${ctr}/start` })).status, 204);
  });
  after(async () => {
    await d?.stop();
    if (work) {
      assert.deepEqual(readdirSync(work), ['secret']);
      assert.equal(readFileSync(join(work, 'secret'), 'utf8'), 'untouched');
      rmSync(work, { recursive: true, force: true });
    }
  });

  const archive = (method: string, path: string, body?: Buffer): ReturnType<typeof api> =>
    api(d.socket, {
      method, path: `/v1.47/containers/${ctr}/archive?path=${encodeURIComponent(path)}${method === 'PUT' ? '&noOverwriteDirNonDir=true' : ''}`,
      ...(body ? { body, headers: { 'Content-Type': 'application/x-tar' } } : {}),
    });
  const statOf = (r: { headers: Record<string, unknown> }): Record<string, unknown> =>
    JSON.parse(Buffer.from(String(r.headers['x-docker-container-path-stat']), 'base64').toString()) as Record<string, unknown>;

  it('answers the stat of a path in X-Docker-Container-Path-Stat', async () => {
    const dir = await archive('HEAD', '/etc');
    assert.equal(dir.status, 200);
    assert.deepEqual({ ...statOf(dir), mtime: undefined, size: undefined }, { name: 'etc', mode: 2 ** 31 + 0o755, linkTarget: '', mtime: undefined, size: undefined });
    const file = statOf(await archive('HEAD', '/etc/passwd'));
    assert.equal(file['mode'], 0o644);
    assert.match(String(file['mtime']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const tmp = statOf(await archive('HEAD', '/tmp/.'));
    assert.equal(tmp['name'], '.');
    assert.equal(tmp['mode'], 2 ** 31 + 2 ** 20 + 0o777);
  });

  it('answers 404, 400 and the tar content type as Docker does', async () => {
    assert.equal((await archive('HEAD', '/nope')).status, 404);
    const missing = await archive('GET', '/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.json<{ message: string }>().message, `Could not find the file /nope in container ${ctr}`);
    const got = await archive('GET', '/etc/passwd');
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], 'application/x-tar');
    assert.equal((await tarEntries(got.body))[0]?.split(' ').slice(0, 2).join(' '), 'file passwd');
    const notDir = await archive('PUT', '/etc/passwd', await buildTar([{ name: 'f', content: 'x' }]));
    assert.equal(notDir.status, 400);
    assert.equal(notDir.json<{ message: string }>().message, 'extraction point is not a directory');
    assert.equal((await api(d.socket, { method: 'PUT', path: `/containers/${ctr}/archive`, body: 'x' })).status, 400);
    assert.equal((await api(d.socket, { method: 'GET', path: '/containers/nope/archive?path=/' })).status, 404);
  });

  it('extracts and archives FIFOs and device nodes', async () => {
    const put = await archive('PUT', '/tmp', await buildTar([
      { name: 'nodes/', type: 'directory' },
      { name: 'nodes/fifo', type: 'fifo', mode: 0o620 },
      { name: 'nodes/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666, uid: 12, gid: 34 },
    ]));
    assert.equal(put.status, 200, put.text);
    assert.equal(statOf(await archive('HEAD', '/tmp/nodes/fifo'))['mode'], 2 ** 25 + 0o620);
    assert.equal(statOf(await archive('HEAD', '/tmp/nodes/null'))['mode'], 2 ** 26 + 2 ** 21 + 0o666);
    const ex = tar.extract();
    Readable.from([(await archive('GET', '/tmp/nodes')).body]).pipe(ex as unknown as NodeJS.WritableStream);
    const got: string[] = [];
    for await (const e of ex) {
      e.resume();
      const h = e.header;
      got.push(`${h.type} ${h.name} ${(h.mode & 0o7777).toString(8)} ${h.uid}:${h.gid}${h.type === 'character-device' ? ` ${h.devmajor},${h.devminor}` : ''}`);
    }
    assert.deepEqual(got, ['directory nodes/ 755 0:0', 'fifo nodes/fifo 620 0:0', 'character-device nodes/null 666 12:34 1,3']);
  });

  it('refuses to extract into a read-only rootfs', async () => {
    const ro = uniqueName('cp-ro');
    const created = await api(d.socket, { method: 'POST', path: `/containers/create?name=${ro}`, body: { Image: 'busybox', HostConfig: { ReadonlyRootfs: true } } });
    assert.equal(created.status, 201, created.text);
    const r = await api(d.socket, { method: 'PUT', path: `/containers/${ro}/archive?path=/tmp`, body: await buildTar([{ name: 'f', content: 'x' }]) });
    assert.equal(r.status, 400);
    assert.equal(r.json<{ message: string }>().message, 'container rootfs is marked read-only');
  });

  it('refuses archives that would write outside the target directory', async () => {
    const evil = uniqueName('evil');
    const crafted: Array<Parameters<typeof buildTar>[0]> = [
      [{ name: `../../../${evil}`, content: 'x' }],
      [{ name: 'l1', type: 'symlink', linkname: '/' }, { name: `l1/${evil}`, content: 'x' }],
      [{ name: 'l2', type: 'symlink', linkname: '../../../../../..' }, { name: `l2/${evil}`, content: 'x' }],
      [{ name: 'l3', type: 'symlink', linkname: work }, { name: 'l3/secret', content: 'pwned' }],
      [{ name: 'h', type: 'link', linkname: '../../etc/passwd' }],
    ];
    for (const members of crafted) {
      const r = await archive('PUT', '/home', await buildTar(members));
      assert.equal(r.status, 400, `${JSON.stringify(members)}: ${r.text}`);
    }
    for (const path of [`/${evil}`, `/home/${evil}`, `${work}/secret`, '/home/h']) {
      assert.equal((await archive('HEAD', path)).status, 404, `${path} exists in the container`);
    }
    assert.equal((await archive('HEAD', '/home/l1')).status, 200, 'the symlink itself was made');
    assert.equal(existsSync(`/${evil}`), false);
  });
});
