import { sha256 } from '../core/index.js';

/**
 * Chain ids of a layer stack, bottom first, per the OCI image spec:
 * ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).
 */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  let prev: string | undefined;
  for (const diffId of diffIds) {
    prev = prev === undefined ? diffId : sha256(`${prev} ${diffId}`);
    out.push(prev);
  }
  return out;
}
