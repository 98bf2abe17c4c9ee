/** Binary multiples of go-units' RAMInBytes (`k`, `m`, `g`, `t`, `p`). */
const BINARY: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** The decimal forms Go's strconv.ParseFloat accepts here (the number part always ends in a digit or `.`). */
const GO_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * go-units RAMInBytes (docker's opts.MemBytes): `64m`, `1g`, `1.5GiB`, `512k`, `100b`, `10 m`
 * (binary multiples, case-insensitive, fraction truncated). Throws Error with go-units' wording:
 * `invalid size: 'abc'`, `invalid suffix: 'x'`, or strconv's `strconv.ParseFloat: parsing …`.
 */
export function ramInBytes(s: string): number {
  let sep = -1;
  for (let i = s.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(s[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep === -1) throw new Error(`invalid size: '${s}'`);
  const num = s[sep] === ' ' ? s.slice(0, sep) : s.slice(0, sep + 1);
  const raw = s.slice(sep + 1);
  if (!GO_FLOAT.test(num)) throw new Error(`strconv.ParseFloat: parsing "${num}": invalid syntax`);
  const size = Number(num);
  if (size < 0) throw new Error(`invalid size: '${s}'`);
  if (raw === '') return Math.trunc(size);
  if (raw.length > 3) throw new Error(`invalid suffix: '${raw}'`);
  const sfx = raw.toLowerCase();
  const bad = (): Error => new Error(`invalid suffix: '${sfx}'`);
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return Math.trunc(size);
  }
  const mul = BINARY[sfx[0]!];
  if (mul === undefined) throw bad();
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw bad();
  return Math.trunc(size * mul);
}

/** docker's opts.MemSwapBytes: `-1` (unlimited swap) or a RAMInBytes size. */
export function memSwapBytes(s: string): number {
  return s === '-1' ? -1 : ramInBytes(s);
}
