/** Reading newline-delimited JSON answers (stats) as Go's json.Decoder does. */
import type { Readable } from 'node:stream';

/**
 * Yields each JSON value of a stream of newline-separated (or directly concatenated) objects.
 * Throws SyntaxError on malformed JSON; a partial object at the end of the input is dropped.
 */
export async function* jsonObjects<T>(input: Readable): AsyncGenerator<T> {
  let buf = '';
  for await (const chunk of input) {
    buf += (chunk as Buffer).toString('utf8');
    let end: number;
    while ((end = objectEnd(buf)) > 0) {
      const text = buf.slice(0, end).trim();
      buf = buf.slice(end);
      if (text !== '') yield JSON.parse(text) as T;
    }
  }
}

/** The index just past the first complete top-level `{…}` of `s`, or 0 when there is none yet. */
function objectEnd(s: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return 0;
}
