/** Go's `fmt.Sprint` look for JSON-ish values, as text/template prints them. */

/** Map-typed fields of Docker's structs: printed `map[k:v]`; other objects print as structs `{…}`. */
const MAP_FIELDS = new Set([
  'Labels', 'Options', 'ExposedPorts', 'Volumes', 'Ports', 'Networks', 'Data', 'DriverOpts', 'Annotations',
  'Sysctls', 'Tmpfs', 'PortBindings', 'Config', 'StorageOpt', 'EndpointsConfig', 'DriverOptions',
]);

/** Pointer-typed fields of Docker's structs: `<nil>` when absent. */
const POINTER_FIELDS = new Set(['Health', 'Init', 'PidsLimit', 'OomKillDisable', 'MemorySwappiness', 'Healthcheck', 'Error']);

/** Formats a number like Go's %v for int64/float64. */
export function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const s = String(n);
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Prints a value as Go's %v would (`<nil>`, `[a b]`, `map[k:v]`, `{v1 v2}`). */
export function goPrint(v: unknown, key = ''): string {
  if (v === null || v === undefined) return key === '' || POINTER_FIELDS.has(key) ? '<nil>' : (MAP_FIELDS.has(key) ? 'map[]' : '[]');
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'function') return '';
  if (Array.isArray(v)) return `[${v.map((x) => goPrint(x)).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => typeof x !== 'function');
    if (MAP_FIELDS.has(key) || entries.some(([k]) => !/^[A-Z]/.test(k))) {
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `map[${entries.map(([k, x]) => `${k}:${goPrint(x, k)}`).join(' ')}]`;
    }
    return `{${entries.map(([k, x]) => goPrint(x, k)).join(' ')}}`;
  }
  return String(v);
}
