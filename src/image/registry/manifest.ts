import { z } from 'zod';
import { invalidArgument, isDigest, notFound } from '../../core/index.js';
import { MEDIA_TYPES, type Descriptor } from '../../registry/types.js';

const DescriptorSchema = z.object({
  mediaType: z.string().default(''),
  digest: z.string().refine(isDigest, 'not a sha256 digest'),
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z.object({
    architecture: z.string(),
    os: z.string(),
    variant: z.string().optional(),
    'os.version': z.string().optional(),
  }).optional(),
});

const IndexSchema = z.object({ mediaType: z.string().optional(), manifests: z.array(DescriptorSchema) });
const ManifestSchema = z.object({
  mediaType: z.string().optional(),
  config: DescriptorSchema,
  layers: z.array(DescriptorSchema),
});

/** An image manifest (Docker schema 2 or OCI), parsed. */
export interface ImageManifest {
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** A platform as `os/arch[/variant]` names it. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociIndex]);
const FOREIGN_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.dockerForeignLayer, MEDIA_TYPES.ociForeignLayer,
  'application/vnd.oci.image.layer.nondistributable.v1.tar', 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd']);

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw invalidArgument(`${what} is not JSON`, err);
  }
}

/** Whether a fetched manifest is a manifest list / OCI index (by media type or shape). */
export function isIndex(mediaType: string, bytes: Buffer): boolean {
  if (INDEX_TYPES.has(mediaType)) return true;
  const raw = parseJson(bytes, 'manifest');
  return typeof raw === 'object' && raw !== null && 'manifests' in raw && !('layers' in raw);
}

/** Whether a layer is foreign / non-distributable (Docker neither pushes nor counts it as ours). */
export function isForeignLayer(desc: Descriptor): boolean {
  return FOREIGN_TYPES.has(desc.mediaType);
}

/** Parses `os/arch[/variant]` (default linux/amd64). Throws 'invalid-argument' on a malformed one. */
export function parsePlatform(spec: string | undefined): Platform {
  if (spec === undefined || spec === '') return { os: 'linux', architecture: 'amd64' };
  const parts = spec.toLowerCase().split('/');
  const [os, arch, variant] = parts;
  if (parts.length > 3 || !os || (parts.length >= 2 && !arch)) throw invalidArgument(`invalid platform: ${spec}`);
  const architecture = normalizeArch(arch ?? 'amd64');
  return { os, architecture, ...(variant ? { variant } : {}) };
}

function normalizeArch(arch: string): string {
  if (arch === 'x86_64' || arch === 'x86-64') return 'amd64';
  if (arch === 'aarch64') return 'arm64';
  return arch;
}

/** `linux/amd64` or `linux/arm/v7`. */
export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/**
 * Picks the manifest for `want` from an index, as containerd's platform matcher does (an arm64
 * request without variant also takes `v8`). Throws 'not-found' with Docker's wording.
 */
export function selectPlatform(bytes: Buffer, want: Platform): Descriptor {
  const parsed = IndexSchema.safeParse(parseJson(bytes, 'manifest list'));
  if (!parsed.success) throw invalidArgument('malformed manifest list');
  const matches = parsed.data.manifests.filter((m) => {
    const p = m.platform;
    if (!p || p.os !== want.os || normalizeArch(p.architecture) !== want.architecture) return false;
    if (want.variant === undefined) return true;
    return (p.variant ?? (want.architecture === 'arm64' ? 'v8' : '')) === want.variant;
  });
  const exact = matches.find((m) => (m.platform?.variant ?? '') === (want.variant ?? '')) ?? matches[0];
  if (!exact) throw notFound(`no matching manifest for ${platformString(want)} in the manifest list entries`);
  return stripUndefined(exact);
}

/** Parses a Docker schema 2 / OCI image manifest. Throws 'invalid-argument' when malformed. */
export function parseManifest(bytes: Buffer): ImageManifest {
  const parsed = ManifestSchema.safeParse(parseJson(bytes, 'manifest'));
  if (!parsed.success) throw invalidArgument('malformed image manifest');
  return { config: stripUndefined(parsed.data.config), layers: parsed.data.layers.map(stripUndefined) };
}

function stripUndefined(d: z.infer<typeof DescriptorSchema>): Descriptor {
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.urls ? { urls: d.urls } : {}),
    ...(d.annotations ? { annotations: d.annotations } : {}),
    ...(d.platform ? { platform: Object.fromEntries(Object.entries(d.platform).filter(([, v]) => v !== undefined)) as Descriptor['platform'] & object } : {}),
  };
}
