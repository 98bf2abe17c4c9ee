/** Docker image references, normalised as distribution/reference does for the common forms. */
export interface ImageRef {
  /** Fully qualified repository, e.g. `docker.io/library/busybox`. */
  repository: string;
  tag?: string;
  digest?: string;
  /** Familiar form with tag, e.g. `busybox:latest` (what docker prints). */
  familiar: string;
}

/** Parses `name[:tag][@digest]`, defaulting the tag to `latest` when there is no digest. */
export function parseImageRef(ref: string): ImageRef {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (tag === undefined && digest === undefined) tag = 'latest';
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const hasDomain = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  let repository = hasDomain ? rest : `docker.io/${slash < 0 ? `library/${rest}` : rest}`;
  if (repository.startsWith('index.docker.io/')) repository = `docker.io/${repository.slice('index.docker.io/'.length)}`;
  let familiarName = repository;
  if (familiarName.startsWith('docker.io/')) familiarName = familiarName.slice('docker.io/'.length);
  if (familiarName.startsWith('library/') && familiarName.split('/').length === 2) familiarName = familiarName.slice('library/'.length);
  const familiar = `${familiarName}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`;
  const out: ImageRef = { repository, familiar };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}
