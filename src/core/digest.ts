import { createHash } from 'node:crypto';

/** A `sha256:<64 hex>` digest. */
export type Digest = string & { readonly __digest: unique symbol };

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(v: string): v is Digest {
  return DIGEST_RE.test(v);
}

export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}` as Digest;
}

/** The hex part of a digest (without `sha256:`). */
export function digestHex(d: string): string {
  return d.startsWith('sha256:') ? d.slice(7) : d;
}
