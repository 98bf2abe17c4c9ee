import { strict as assert } from 'node:assert';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { EngineError, sha256 } from '../core/index.js';
import { createRegistryClient, MEDIA_TYPES, parseRegistryAuthHeader, type RegistryOptions } from './index.js';
import { endpointsFor } from './endpoints.js';
import { familiarRef } from './registry-errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

let server: Server;
let host = '';
let handler: Handler = (_req, res) => res.writeHead(500).end();
const seen: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      handler(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  seen.length = 0;
});

const fast: RegistryOptions = { retries: 2, retryBaseMs: 10, timeoutMs: 2000 };
const repo = (): { domain: string; path: string } => ({ domain: host, path: 'ns/app' });
const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, layers: [] }));
const manifestDigest = sha256(manifest);

function sendManifest(res: ServerResponse, digest = manifestDigest): void {
  res.writeHead(200, { 'content-type': MEDIA_TYPES.ociManifest, 'docker-content-digest': digest }).end(manifest);
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message }] });
}

async function rejectsKind(p: Promise<unknown>, kind: string, re?: RegExp): Promise<EngineError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EngineError, `not an EngineError: ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    if (re) assert.match(err.message, re);
    return err;
  }
  assert.fail('expected a rejection');
}

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('auth', () => {
  it('fetches a Bearer token with Basic credentials and the scope, and caches it', async () => {
    let tokenRequests = 0;
    handler = (req, res) => {
      const url = new URL(req.url ?? '/', `http://${host}`);
      if (url.pathname === '/token') {
        tokenRequests++;
        assert.equal(url.searchParams.get('service'), 'reg');
        assert.equal(url.searchParams.get('scope'), 'repository:ns/app:pull');
        assert.equal(req.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'tok', expires_in: 300 }));
        return;
      }
      if (req.headers.authorization !== 'Bearer tok') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="reg",scope="repository:ns/app:pull"` }).end();
        return;
      }
      sendManifest(res);
    };
    const c = createRegistryClient({ username: 'u', password: 'p' }, fast);
    const m = await c.getManifest(repo(), 'latest');
    assert.equal(m.digest, manifestDigest);
    assert.equal(m.mediaType, MEDIA_TYPES.ociManifest);
    await c.getManifest(repo(), 'latest');
    assert.equal(tokenRequests, 1);
  });

  it('uses an identity token as refresh_token in a POST form', async () => {
    handler = (req, res, body) => {
      if (req.url === '/token') {
        assert.equal(req.method, 'POST');
        const form = new URLSearchParams(body.toString());
        assert.equal(form.get('grant_type'), 'refresh_token');
        assert.equal(form.get('refresh_token'), 'idtok');
        res.writeHead(200).end(JSON.stringify({ access_token: 'tok2' }));
        return;
      }
      if (req.headers.authorization !== 'Bearer tok2') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="reg"` }).end();
        return;
      }
      res.writeHead(200).end('{}');
    };
    await createRegistryClient({ identitytoken: 'idtok' }, fast).checkAuth(host);
  });

  it('answers a Basic challenge with the credentials', async () => {
    handler = (req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="reg"' }).end(errorBody('UNAUTHORIZED', 'authentication required'));
        return;
      }
      sendManifest(res);
    };
    await createRegistryClient({ username: 'u', password: 'p' }, fast).getManifest(repo(), 'latest');
    await rejectsKind(createRegistryClient(undefined, fast).getManifest(repo(), 'latest'), 'unauthorized',
      /^pull access denied for 127\.0\.0\.1:\d+\/ns\/app, repository does not exist or may require 'docker login'/);
    await rejectsKind(createRegistryClient({ username: 'u', password: 'bad' }, fast).checkAuth(host), 'unauthorized',
      /unauthorized: incorrect username or password/);
  });

  it('reports a refused token as incorrect credentials', async () => {
    handler = (req, res) => {
      if (req.url?.startsWith('/token')) {
        res.writeHead(401).end(errorBody('UNAUTHORIZED', 'bad'));
        return;
      }
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="reg"` }).end();
    };
    await rejectsKind(createRegistryClient({ username: 'u', password: 'x' }, fast).checkAuth(host), 'unauthorized', /incorrect username or password/);
  });
});

describe('getManifest', () => {
  it('words a 404 as Docker does', async () => {
    handler = (_req, res) => res.writeHead(404).end(errorBody('MANIFEST_UNKNOWN', 'manifest unknown'));
    await rejectsKind(createRegistryClient(undefined, fast).getManifest(repo(), 'nope'), 'not-found',
      new RegExp(`^manifest for ${host}/ns/app:nope not found: manifest unknown: manifest unknown$`));
    assert.equal(familiarRef({ domain: 'docker.io', path: 'library/busybox' }, 'nope'), 'busybox:nope');
    assert.equal(familiarRef({ domain: 'docker.io', path: 'ns/app' }, sha256('x')), `ns/app@${sha256('x')}`);
  });

  it('pulls docker.io through a mirror first', async () => {
    handler = (req, res) => {
      assert.equal(req.url, '/v2/library/busybox/manifests/latest');
      sendManifest(res);
    };
    const m = await createRegistryClient(undefined, { ...fast, mirrors: [`http://${host}`] }).getManifest({ domain: 'docker.io', path: 'library/busybox' }, 'latest');
    assert.equal(m.digest, manifestDigest);
  });

  it('chooses endpoints as Docker does', () => {
    assert.deepEqual(endpointsFor('docker.io', { mirrors: ['mirror.example:5000'] }, { pull: true }).map((e) => e.base),
      ['https://mirror.example:5000', 'https://registry-1.docker.io']);
    assert.deepEqual(endpointsFor('docker.io', { mirrors: ['https://m.example/'] }, { pull: false }).map((e) => e.base), ['https://registry-1.docker.io']);
    for (const d of ['localhost:5000', '127.0.0.9:80', '[::1]:5000', 'localhost']) {
      assert.deepEqual(endpointsFor(d, {}, { pull: true }).map((e) => e.base), [`http://${d}`]);
    }
    assert.deepEqual(endpointsFor('reg.lan:5000', { insecure: ['reg.lan:5000'] }, { pull: true }).map((e) => `${e.base} ${e.fallback}`),
      ['https://reg.lan:5000 network', 'http://reg.lan:5000 none']);
    assert.deepEqual(endpointsFor('quay.io', {}, { pull: true }).map((e) => e.base), ['https://quay.io']);
  });

  it('sends the four Accept types', async () => {
    handler = (req, res) => {
      for (const t of [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest, MEDIA_TYPES.dockerManifestList]) {
        assert.ok(req.headers.accept?.includes(t), t);
      }
      sendManifest(res);
    };
    await createRegistryClient(undefined, fast).getManifest(repo(), 'latest');
  });

  it('fails on a digest mismatch against the header or the reference', async () => {
    const wrong = sha256('other');
    handler = (_req, res) => sendManifest(res, wrong);
    await rejectsKind(createRegistryClient(undefined, fast).getManifest(repo(), 'latest'), 'invalid-argument', new RegExp(wrong));
    handler = (_req, res) => res.writeHead(200, { 'content-type': MEDIA_TYPES.ociManifest }).end(manifest);
    await rejectsKind(createRegistryClient(undefined, fast).getManifest(repo(), wrong), 'invalid-argument', new RegExp(wrong));
    const ok = await createRegistryClient(undefined, fast).getManifest(repo(), manifestDigest);
    assert.ok(ok.bytes.equals(manifest));
  });
});

describe('getBlob', () => {
  const blob = Buffer.from('hello blob');
  const digest = sha256(blob);

  it('follows redirects and verifies the stream', async () => {
    handler = (req, res) => {
      if (req.url === `/v2/ns/app/blobs/${digest}`) res.writeHead(307, { location: '/storage/x?sig=1' }).end();
      else if (req.url === '/storage/x?sig=1') res.writeHead(200).end(blob);
      else res.writeHead(404).end();
    };
    const s = await createRegistryClient(undefined, fast).getBlob(repo(), { digest, size: blob.length });
    assert.ok((await readAll(s)).equals(blob));
  });

  it('drops credentials on a redirect to another origin', async () => {
    const other = host.replace('127.0.0.1', 'localhost');
    handler = (req, res) => {
      if (req.url === `/v2/ns/app/blobs/${digest}`) {
        if (!req.headers.authorization) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
          return;
        }
        res.writeHead(302, { location: `http://${other}/s3/blob` }).end();
        return;
      }
      assert.equal(req.headers.authorization, undefined);
      res.writeHead(200).end(blob);
    };
    const s = await createRegistryClient({ username: 'u', password: 'p' }, fast).getBlob(repo(), { digest });
    assert.ok((await readAll(s)).equals(blob));
  });

  it('errors at the end naming the digest when the bytes do not match', async () => {
    handler = (_req, res) => res.writeHead(200).end(Buffer.from('hello blub'));
    const s = await createRegistryClient(undefined, fast).getBlob(repo(), { digest, size: blob.length });
    await rejectsKind(readAll(s), 'invalid-argument', new RegExp(`digest mismatch for ${digest}`));
    const s2 = await createRegistryClient(undefined, fast).getBlob(repo(), { digest });
    await rejectsKind(readAll(s2), 'invalid-argument', new RegExp(digest));
  });

  it('aborts a body that stalls, as unavailable', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': String(blob.length) });
      res.write(blob.subarray(0, 3)); // then nothing
    };
    const s = await createRegistryClient(undefined, { ...fast, timeoutMs: 200 }).getBlob(repo(), { digest, size: blob.length });
    await rejectsKind(readAll(s), 'unavailable', new RegExp(`${digest}: no data for 200 ms`));
  });

  it('hasBlob is true on 200 and false on 404', async () => {
    handler = (req, res) => res.writeHead(req.url?.endsWith(digest) ? 200 : 404).end();
    const c = createRegistryClient(undefined, fast);
    assert.equal(await c.hasBlob(repo(), digest), true);
    assert.equal(await c.hasBlob(repo(), sha256('x')), false);
  });
});

describe('robustness', () => {
  it('retries a 503 and honours Retry-After on a 429', async () => {
    let n = 0;
    handler = (_req, res) => {
      n++;
      if (n === 1) res.writeHead(503).end();
      else if (n === 2) res.writeHead(429, { 'retry-after': '1' }).end();
      else sendManifest(res);
    };
    const start = Date.now();
    await createRegistryClient(undefined, fast).getManifest(repo(), 'latest');
    assert.equal(n, 3);
    assert.ok(Date.now() - start >= 900, 'waited for Retry-After');
  });

  it('caps Retry-After and gives up with kind unavailable', async () => {
    handler = (_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end(errorBody('TOOMANYREQUESTS', 'slow down'));
    const start = Date.now();
    await rejectsKind(createRegistryClient(undefined, { ...fast, maxRetryDelayMs: 50 }).getManifest(repo(), 'latest'), 'unavailable', /toomanyrequests: slow down/);
    assert.ok(Date.now() - start < 2000);
  });

  it('times out, retries, then reports a clear error', async () => {
    let n = 0;
    handler = (_req, res) => {
      n++;
      if (n === 1) return; // hang once
      sendManifest(res);
    };
    await createRegistryClient(undefined, { ...fast, timeoutMs: 200 }).getManifest(repo(), 'latest');
    assert.equal(n, 2);
    handler = () => undefined;
    await rejectsKind(createRegistryClient(undefined, { ...fast, timeoutMs: 150, retries: 1 }).getManifest(repo(), 'latest'), 'unavailable',
      /^Get "http:\/\/127\.0\.0\.1:\d+\/v2\/ns\/app\/manifests\/latest": .*Client\.Timeout exceeded/);
  });

  it('says connection refused', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    await rejectsKind(createRegistryClient(undefined, { ...fast, retries: 0 }).checkAuth(`127.0.0.1:${port}`), 'unavailable', /connect: connection refused/);
  });

  it('stops on an aborted signal', async () => {
    handler = () => undefined;
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('stop')), 50);
    await assert.rejects(createRegistryClient(undefined, fast).getManifest(repo(), 'latest', { signal: ctl.signal }), /stop/);
  });
});

describe('pushBlob', () => {
  const uploads = new Map<string, Buffer[]>();
  let stored = new Map<string, Buffer>();
  let patches = 0;
  let puts = 0;
  const push: Handler = (req, res, body) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const blobMatch = /^\/v2\/ns\/app\/blobs\/(sha256:[a-f0-9]+)$/.exec(url.pathname);
    if (req.method === 'HEAD' && blobMatch) {
      res.writeHead(stored.has(blobMatch[1] ?? '') ? 200 : 404).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/v2/ns/app/blobs/uploads/') {
      const mount = url.searchParams.get('mount');
      if (mount && url.searchParams.get('from') === 'other/repo' && stored.has(`other:${mount}`)) {
        res.writeHead(201, { location: `/v2/ns/app/blobs/${mount}` }).end();
        return;
      }
      const id = `u${uploads.size}`;
      uploads.set(id, []);
      // absolute Location with a query string on the first, relative later
      res.writeHead(202, { location: `http://${host}/v2/ns/app/blobs/uploads/${id}?_state=s0` }).end();
      return;
    }
    const up = /^\/v2\/ns\/app\/blobs\/uploads\/(u\d+)$/.exec(url.pathname);
    const parts = up ? uploads.get(up[1] ?? '') : undefined;
    if (!up || !parts) {
      res.writeHead(404).end();
      return;
    }
    assert.ok(url.searchParams.get('_state'), 'kept the upload state');
    if (req.method === 'PATCH') {
      patches++;
      const have = parts.reduce((a, b) => a + b.length, 0);
      assert.equal(req.headers['content-range'], `${have}-${have + body.length - 1}`);
      parts.push(body);
      res.writeHead(202, { location: `/v2/ns/app/blobs/uploads/${up[1]}?_state=s${patches}`, range: `0-${have + body.length - 1}` }).end();
      return;
    }
    if (req.method === 'PUT') {
      puts++;
      parts.push(body);
      const all = Buffer.concat(parts);
      const digest = url.searchParams.get('digest') ?? '';
      if (sha256(all) !== digest) {
        res.writeHead(400).end(errorBody('DIGEST_INVALID', 'provided digest did not match uploaded content'));
        return;
      }
      stored.set(digest, all);
      res.writeHead(201, { location: `/v2/ns/app/blobs/${digest}`, 'docker-content-digest': digest }).end();
      return;
    }
    res.writeHead(405).end();
  };
  beforeEach(() => {
    handler = push;
    stored = new Map();
    uploads.clear();
    patches = 0;
    puts = 0;
  });

  it('uploads monolithically, then finds it present', async () => {
    const data = Buffer.from('small blob');
    const desc = { digest: sha256(data), size: data.length };
    const c = createRegistryClient(undefined, fast);
    const progress: number[] = [];
    assert.equal(await c.pushBlob(repo(), desc, () => Readable.from([data]), { onProgress: (n) => progress.push(n) }), 'uploaded');
    assert.equal(patches, 0, seen.join("\n"));
    assert.equal(puts, 1, seen.join("\n"));
    assert.equal(progress.at(-1), data.length);
    assert.ok(stored.get(desc.digest)?.equals(data));
    assert.equal(await c.pushBlob(repo(), desc, () => Readable.from([data])), 'exists');
  });

  it('uploads in chunks above the chunk size', async () => {
    const data = Buffer.alloc(2500, 7);
    data.write('tail', 2490);
    const desc = { digest: sha256(data), size: data.length };
    const c = createRegistryClient(undefined, { ...fast, chunkSize: 1000 });
    const src = (): Readable => Readable.from([data.subarray(0, 300), data.subarray(300, 1700), data.subarray(1700)]);
    assert.equal(await c.pushBlob(repo(), desc, src), 'uploaded');
    assert.equal(patches, 3);
    assert.equal(puts, 1);
    assert.ok(stored.get(desc.digest)?.equals(data));
  });

  it('mounts from another repository, falling back to upload on 202', async () => {
    const data = Buffer.from('mounted blob');
    const desc = { digest: sha256(data), size: data.length };
    stored.set(`other:${desc.digest}`, data);
    const c = createRegistryClient(undefined, fast);
    assert.equal(await c.pushBlob(repo(), desc, () => Readable.from([data]), { mountFrom: 'other/repo' }), 'mounted');
    assert.ok(seen.some((s) => s.startsWith('POST /v2/ns/app/blobs/uploads/?mount=sha256')));
    const d2 = Buffer.from('not there');
    assert.equal(await c.pushBlob(repo(), { digest: sha256(d2), size: d2.length }, () => Readable.from([d2]), { mountFrom: 'other/repo' }), 'uploaded');
  });

  it('puts a manifest and returns the digest', async () => {
    handler = (req, res, body) => {
      assert.equal(req.headers['content-type'], MEDIA_TYPES.ociManifest);
      res.writeHead(201, { 'docker-content-digest': sha256(body) }).end();
    };
    assert.equal(await createRegistryClient(undefined, fast).putManifest(repo(), 'v1', MEDIA_TYPES.ociManifest, manifest), manifestDigest);
  });

  it('lists tags across pages', async () => {
    handler = (req, res) => {
      if (req.url === '/v2/ns/app/tags/list') res.writeHead(200, { link: '</v2/ns/app/tags/list?last=b&n=2>; rel="next"' }).end(JSON.stringify({ tags: ['a', 'b'] }));
      else res.writeHead(200).end(JSON.stringify({ tags: ['c'] }));
    };
    assert.deepEqual(await createRegistryClient(undefined, fast).listTags(repo()), ['a', 'b', 'c']);
  });
});

describe('parseRegistryAuthHeader', () => {
  it('decodes base64url and base64 JSON; {} is no credentials', () => {
    const json = JSON.stringify({ username: 'u', password: 'p?>~', serveraddress: 'r' });
    assert.deepEqual(parseRegistryAuthHeader(Buffer.from(json).toString('base64url')), { username: 'u', password: 'p?>~', serveraddress: 'r' });
    assert.deepEqual(parseRegistryAuthHeader(Buffer.from(json).toString('base64')), { username: 'u', password: 'p?>~', serveraddress: 'r' });
    assert.equal(parseRegistryAuthHeader('e30='), undefined);
    assert.equal(parseRegistryAuthHeader(undefined), undefined);
    assert.equal(parseRegistryAuthHeader(''), undefined);
  });
  it('rejects garbage with invalid-argument', () => {
    assert.throws(() => parseRegistryAuthHeader('%%%'), (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument');
    assert.throws(() => parseRegistryAuthHeader(Buffer.from('not json').toString('base64')), (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument');
  });
});

describe('foreign layers', () => {
  it('a blob the registry does not have comes from the layer URLs, verified; none answering is an error naming them', async () => {
    const data = Buffer.from('foreign layer bytes');
    const digest = sha256(data);
    handler = (req, res) => {
      if (req.url === '/foreign/ok') res.writeHead(200, { 'content-length': String(data.length) }).end(data);
      else if (req.url === '/foreign/bad') res.writeHead(200).end('other bytes');
      else res.writeHead(404, { 'content-type': 'application/json' }).end(errorBody('BLOB_UNKNOWN', 'blob unknown to registry'));
    };
    const client = createRegistryClient(undefined, fast);
    const urls = [`http://${host}/foreign/missing`, `http://${host}/foreign/ok`];
    const chunks: Buffer[] = [];
    for await (const c of await client.getBlob(repo(), { digest, size: data.length, urls })) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), data);
    assert.ok(seen.includes(`GET /v2/ns/app/blobs/${digest}`));
    assert.ok(seen.includes('GET /foreign/missing') && seen.includes('GET /foreign/ok'));

    await assert.rejects(
      client.getBlob(repo(), { digest, size: data.length, urls: [`http://${host}/foreign/missing`, 'ftp://elsewhere/x'] }),
      (e: Error) => e instanceof EngineError && e.kind === 'not-found' && /foreign URLs: .*missing: unexpected status 404; ftp:\/\/elsewhere\/x: not an http\(s\) URL/.test(e.message),
    );
    const bad = await client.getBlob(repo(), { digest, urls: [`http://${host}/foreign/bad`] });
    await assert.rejects(async () => {
      for await (const c of bad) void c;
    }, /digest mismatch/);
  });
});
