/**
 * Slash-path helpers with Go's semantics (Docker's builder is written against path.Clean and
 * path.Join), for .dockerignore matching and WORKDIR.
 */

/** Go's path.Clean: the shortest equivalent slash path ("." for empty). */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  let dotdot = 0;
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > dotdot) out.pop();
      else if (!rooted) dotdot = out.push('..');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

/**
 * WORKDIR: a relative path is taken from the current working directory ("/" when unset), and
 * the result is cleaned (`WORKDIR a` then `WORKDIR b/../c` gives /a/c). The path must already
 * be expanded.
 */
export function resolveWorkdir(current: string, requested: string): string {
  return requested.startsWith('/') ? cleanPath(requested) : cleanPath(`/${current}/${requested}`);
}
