import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { invalidArgument } from '../../core/index.js';
import { parseReference, withDefaultTag, type ImageReference } from '../reference.js';
import type { ImageSource } from './image-source.js';
import type { SpooledArchive, SpooledFile } from './spool.js';

const Descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/),
  size: z.number().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z.object({ os: z.string(), architecture: z.string() }).passthrough().optional(),
});
type Descriptor = z.infer<typeof Descriptor>;

const IndexSchema = z.object({ manifests: z.array(Descriptor) });
const ManifestSchema = z.object({ config: Descriptor, layers: z.array(Descriptor) });

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';

/** Whether the archive is an OCI image layout. */
export function isOciLayout(archive: SpooledArchive): boolean {
  return archive.has('oci-layout') && archive.has('index.json');
}

function blob(archive: SpooledArchive, d: Descriptor): SpooledFile {
  const f = archive.require(`blobs/${d.digest.replace(':', '/')}`);
  if (f.digest !== d.digest) throw invalidArgument(`invalid archive: blob ${d.digest} does not match its digest`);
  return f;
}

async function readJson<T>(file: SpooledFile, schema: z.ZodType<T>, what: string): Promise<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file.file, 'utf8'));
  } catch (err) {
    throw invalidArgument(`invalid archive: ${what} is not JSON`, err);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalidArgument(`invalid archive: malformed ${what}`);
  return parsed.data;
}

/**
 * Names from a top-level descriptor: `io.containerd.image.name` (a full reference) and
 * `org.opencontainers.image.ref.name` when it is a full reference (a bare tag such as `latest`
 * names no repository and is ignored).
 */
function namesOf(d: Descriptor): ImageReference[] {
  const out: ImageReference[] = [];
  const add = (s: string): void => {
    const ref = withDefaultTag(parseReference(s));
    if (!out.some((r) => r.domain === ref.domain && r.path === ref.path && r.tag === ref.tag)) out.push(ref);
  };
  const containerd = d.annotations?.[CONTAINERD_NAME];
  if (containerd) add(containerd);
  const refName = d.annotations?.[REF_NAME];
  if (refName && /[:/@]/.test(refName)) add(refName);
  return out;
}

async function resolveManifest(archive: SpooledArchive, d: Descriptor, depth: number): Promise<Descriptor> {
  if (!INDEX_TYPES.has(d.mediaType ?? '')) return d;
  if (depth > 4) throw invalidArgument('invalid archive: nested indexes too deep');
  const index = await readJson(blob(archive, d), IndexSchema, `index ${d.digest}`);
  const pick = index.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64')
    ?? index.manifests.find((m) => archive.has(`blobs/${m.digest.replace(':', '/')}`));
  if (!pick) throw invalidArgument(`invalid archive: index ${d.digest} has no usable manifest`);
  return resolveManifest(archive, pick, depth + 1);
}

/**
 * Reads the images of an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`),
 * verifying every blob it uses against its digest.
 */
export async function readOciLayout(archive: SpooledArchive): Promise<ImageSource[]> {
  const index = await readJson(archive.require('index.json'), IndexSchema, 'index.json');
  const out: ImageSource[] = [];
  for (const top of index.manifests) {
    const desc = await resolveManifest(archive, top, 0);
    const manifest = await readJson(blob(archive, desc), ManifestSchema, `manifest ${desc.digest}`);
    out.push({
      config: blob(archive, manifest.config),
      layers: manifest.layers.map((l) => blob(archive, l)),
      names: namesOf(top),
    });
  }
  return out;
}
