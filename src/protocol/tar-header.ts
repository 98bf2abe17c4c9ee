/**
 * The tar header of a file as Go's tar.FileInfoHeader writes it, with moby's canonical names:
 * what both ends of the container archive API (docker cp) put in their tars.
 */
import { constants, type BigIntStats } from 'node:fs';
import type { Header as TarHeader } from 'tar-stream';

/** A tar-stream header with PAX records as plain strings. */
export type Header = Partial<Omit<TarHeader, 'pax'>> & Pick<TarHeader, 'name'> & { pax?: Record<string, string> };

/** Ids above this do not fit a ustar header: they go in PAX records. */
const MAX_USTAR_ID = 0o777777;

/** The header for `name` with `st` (lstat); undefined for sockets, which Go's tar writer refuses. */
export function headerFor(name: string, st: BigIntStats): Header | undefined {
  const mode = Number(st.mode);
  const uid = Number(st.uid);
  const gid = Number(st.gid);
  const header: Header = {
    name,
    // the file type bits keep tar-stream from replacing a 0000 mode with its default
    mode: mode & (constants.S_IFMT | 0o7777),
    uid: uid > MAX_USTAR_ID ? 0 : uid,
    gid: gid > MAX_USTAR_ID ? 0 : gid,
    mtime: new Date(Number(st.mtimeNs / 1_000_000_000n) * 1000),
  };
  if (uid > MAX_USTAR_ID || gid > MAX_USTAR_ID) header.pax = { uid: String(uid), gid: String(gid) };
  if (st.isDirectory()) {
    header.type = 'directory';
    if (!name.endsWith('/')) header.name = `${name}/`;
  } else if (st.isFile()) {
    header.type = 'file';
    header.size = Number(st.size);
  } else if (st.isSymbolicLink()) {
    header.type = 'symlink';
  } else if (st.isCharacterDevice() || st.isBlockDevice()) {
    header.type = st.isCharacterDevice() ? 'character-device' : 'block-device';
    const rdev = st.rdev;
    header.devmajor = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
    header.devminor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  } else if (st.isFIFO()) {
    header.type = 'fifo';
  } else {
    return undefined; // sockets: Go's tar writer refuses them, moby skips them
  }
  return header;
}

