import { notFound } from '../core/index.js';
import type { ImageCatalog } from './catalog.js';
import { familiarName, familiarString, parseReference, referenceString, withDefaultTag } from './reference.js';

const FULL_HEX = /^[a-f0-9]{64}$/;
const FULL_ID = /^sha256:[a-f0-9]{64}$/;

/**
 * Resolves what a user typed to an image id, as Docker's GetImage does: a full id (with or
 * without `sha256:`), a name[:tag] (tag defaults to latest), `name@digest`, or a unique id prefix.
 * Throws 'invalid-argument' for a malformed reference, 'not-found' "No such image: REF" otherwise.
 */
export function resolveImageId(cat: ImageCatalog, ref: string): string {
  if (FULL_HEX.test(ref) || FULL_ID.test(ref)) {
    const id = ref.startsWith('sha256:') ? ref : `sha256:${ref}`;
    if (cat.records.get(id)) return id;
    throw notFound(`No such image: ${id}`);
  }
  const named = parseReference(ref);
  if (named.digest !== undefined) {
    const canonical = { domain: named.domain, path: named.path, digest: named.digest };
    const hit = cat.tags.get(referenceString(canonical));
    if (hit && cat.records.get(hit.id)) return hit.id;
    // An image loaded without a registry digest is still found by name@<its id>.
    const name = familiarName(named);
    if (cat.records.get(named.digest) && cat.tags.refsOf(named.digest).some((e) => familiarName(parseReference(e.ref)) === name)) {
      return named.digest;
    }
  } else {
    const hit = cat.tags.get(referenceString(withDefaultTag(named)));
    if (hit && cat.records.get(hit.id)) return hit.id;
  }
  const prefix = ref.startsWith('sha256:') ? ref.slice(7) : ref;
  if (/^[a-f0-9]+$/.test(prefix)) {
    const matches = cat.ids().filter((id) => id.slice(7).startsWith(prefix));
    if (matches.length === 1) return matches[0]!;
  }
  throw notFound(`No such image: ${familiarString(withDefaultTag(named))}`);
}
