/** Engine API versions berthd speaks. The docker CLI 28 negotiates down to CURRENT. */
export const API_VERSION = '1.47';
export const MIN_API_VERSION = '1.24';
export const ENGINE_VERSION = '28.0.0-berth';
export const BERTH_VERSION = '0.1.0';

/** Compares dotted API versions: negative if a < b, 0 if equal, positive if a > b. */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
