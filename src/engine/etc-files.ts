/**
 * The files a container sees at /etc/hostname, /etc/hosts and /etc/resolv.conf. They live in the
 * container's directory and are bind-mounted, as Docker does.
 */
import { readFile, writeFile } from 'node:fs/promises';

export interface EtcFiles {
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
}

const LOCAL_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::\tip6-localnet',
  'ff00::\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** The /etc/hosts content for a container (network none or host mode). */
export function hostsContent(opts: { hostname: string; extraHosts?: readonly string[]; hostNetwork: boolean; hostHosts?: string }): string {
  if (opts.hostNetwork && opts.hostHosts !== undefined) return opts.hostHosts;
  const lines = [...LOCAL_HOSTS];
  for (const h of opts.extraHosts ?? []) {
    const i = h.indexOf(':');
    if (i > 0) lines.push(`${h.slice(i + 1)}\t${h.slice(0, i)}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Writes the three files; resolv.conf is the host's (Docker's behaviour without a bridge DNS).
 * They are rewritten on every start, so a plain write (no fsync) is enough.
 */
export async function writeEtcFiles(
  files: EtcFiles,
  opts: { hostname: string; domainname: string; hostNetwork: boolean; extraHosts?: readonly string[]; dns?: readonly string[] },
): Promise<void> {
  const hostHosts = opts.hostNetwork ? await readFile('/etc/hosts', 'utf8').catch(() => undefined) : undefined;
  let resolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  if (opts.dns && opts.dns.length > 0) {
    resolv = resolv.split('\n').filter((l) => !l.startsWith('nameserver')).join('\n');
    resolv = opts.dns.map((d) => `nameserver ${d}`).join('\n') + '\n' + resolv;
  }
  await Promise.all([
    writeFile(files.hostnamePath, `${opts.hostname}\n`),
    writeFile(files.hostsPath, hostsContent({
      hostname: opts.hostname, hostNetwork: opts.hostNetwork,
      ...(opts.extraHosts ? { extraHosts: opts.extraHosts } : {}),
      ...(hostHosts !== undefined ? { hostHosts } : {}),
    })),
    writeFile(files.resolvConfPath, resolv),
  ]);
}
