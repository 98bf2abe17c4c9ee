#!/usr/bin/env node
// Builds a small image from the host's static busybox, without network access.
//
//   node scripts/mkimage-busybox.mjs --out FILE [--tag busybox:latest] [--format docker|oci|rootfs] [--gzip]
//
// docker: a docker-archive (manifest.json, repositories, <config>.json, <layer>/layer.tar), for `load`.
// oci:    an OCI image layout (oci-layout, index.json, blobs/sha256/...), for `load`.
// rootfs: the root filesystem tarball alone, for `import`.
// The output is deterministic (fixed mtimes and owners), so repeated runs give the same image id.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

const BUSYBOX = '/bin/busybox';
const MTIME = new Date('2024-01-01T00:00:00Z');
const CREATED = MTIME.toISOString().replace('.000Z', 'Z');

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    tag: { type: 'string', default: 'busybox:latest' },
    format: { type: 'string', default: 'docker' },
    gzip: { type: 'boolean', default: false },
  },
});
if (!values.out || !['docker', 'oci', 'rootfs'].includes(values.format)) {
  process.stderr.write('usage: mkimage-busybox.mjs --out FILE [--tag busybox:latest] [--format docker|oci|rootfs] [--gzip]\n');
  process.exit(2);
}

const sha = (buf) => createHash('sha256').update(buf).digest('hex');

/** Packs [header, body?] pairs into one tar buffer. */
async function packTar(entries) {
  const pack = tar.pack();
  const chunks = [];
  pack.on('data', (c) => chunks.push(c));
  const ended = new Promise((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const [header, body] of entries) {
    await new Promise((resolve, reject) => {
      pack.entry({ mtime: MTIME, uid: 0, gid: 0, uname: '', gname: '', ...header }, body ?? null, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

const dir = (name, mode = 0o755, owner = 0) => [{ name, type: 'directory', mode, uid: owner, gid: owner }];
const file = (name, content, mode = 0o644) => {
  const body = Buffer.from(content);
  return [{ name, type: 'file', mode, size: body.length }, body];
};

function rootfsEntries() {
  const applets = execFileSync(BUSYBOX, ['--list-full'], { encoding: 'utf8' })
    .split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== 'bin/busybox');
  if (!applets.includes('bin/sh')) applets.push('bin/sh');
  const dirs = new Set(['bin', 'dev', 'etc', 'home', 'proc', 'root', 'sys', 'tmp', 'usr', 'usr/bin', 'usr/sbin', 'sbin', 'var']);
  for (const a of applets) {
    const parts = a.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const entries = [];
  for (const d of [...dirs].sort()) entries.push(dir(d, d === 'tmp' ? 0o1777 : d === 'root' ? 0o700 : 0o755));
  entries.push(dir('home/berth', 0o755, 1000));
  entries.push(file('bin/busybox', readFileSync(BUSYBOX), 0o755));
  for (const a of [...new Set(applets)].sort()) {
    entries.push([{ name: a, type: 'link', linkname: 'bin/busybox', mode: 0o755 }]);
  }
  entries.push(file('etc/passwd', [
    'root:x:0:0:root:/root:/bin/sh',
    'berth:x:1000:1000:berth:/home/berth:/bin/sh',
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
    '',
  ].join('\n')));
  entries.push(file('etc/group', [
    'root:x:0:', 'staff:x:50:berth', 'berth:x:1000:', 'nogroup:x:65534:', '',
  ].join('\n')));
  return entries;
}

/** `busybox:latest` → the full name containerd records (`docker.io/library/busybox:latest`). */
function fullName(tag) {
  const first = tag.split('/')[0];
  if (!tag.includes('/')) return `docker.io/library/${tag}`;
  if (first === 'localhost' || first.includes('.') || first.includes(':')) return tag;
  return `docker.io/${tag}`;
}

const layer = await packTar(rootfsEntries());
const diffId = `sha256:${sha(layer)}`;
if (values.format === 'rootfs') {
  writeFileSync(values.out, values.gzip ? gzipSync(layer) : layer);
  process.exit(0);
}
const layerBlob = values.gzip ? gzipSync(layer) : layer;
const config = Buffer.from(JSON.stringify({
  architecture: 'amd64',
  config: {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Cmd: ['sh'],
  },
  created: CREATED,
  history: [
    { created: CREATED, created_by: '/bin/sh -c #(nop) ADD file:busybox in / ' },
    { created: CREATED, created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
  ],
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [diffId] },
}));
const configHex = sha(config);
const layerHex = sha(layerBlob);
const tag = values.tag;
let outer;
if (values.format === 'docker') {
  const colon = tag.lastIndexOf(':') > tag.lastIndexOf('/') ? tag.lastIndexOf(':') : -1;
  const repo = colon < 0 ? tag : tag.slice(0, colon);
  const tagName = colon < 0 ? 'latest' : tag.slice(colon + 1);
  const manifest = [{ Config: `${configHex}.json`, RepoTags: [`${repo}:${tagName}`], Layers: [`${layerHex}/layer.tar`] }];
  outer = await packTar([
    dir(layerHex),
    file(`${layerHex}/VERSION`, '1.0'),
    file(`${layerHex}/layer.tar`, layerBlob),
    file(`${configHex}.json`, config),
    file('manifest.json', JSON.stringify(manifest)),
    file('repositories', JSON.stringify({ [repo]: { [tagName]: layerHex } })),
  ]);
} else {
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configHex}`, size: config.length },
    layers: [{
      mediaType: values.gzip ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar',
      digest: `sha256:${layerHex}`,
      size: layerBlob.length,
    }],
  }));
  const full = fullName(tag);
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${sha(manifest)}`,
      size: manifest.length,
      annotations: {
        'io.containerd.image.name': full,
        'org.opencontainers.image.ref.name': full.slice(full.lastIndexOf(':') + 1),
      },
    }],
  };
  outer = await packTar([
    file('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' })),
    dir('blobs'),
    dir('blobs/sha256'),
    file(`blobs/sha256/${configHex}`, config),
    file(`blobs/sha256/${layerHex}`, layerBlob),
    file(`blobs/sha256/${sha(manifest)}`, manifest),
    file('index.json', JSON.stringify(index)),
  ]);
}
writeFileSync(values.out, outer);
