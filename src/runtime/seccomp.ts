/**
 * Docker's default seccomp: the moby-format profile shipped by containers-common
 * (/usr/share/containers/seccomp.json) converted to the OCI `linux.seccomp` shape, the way
 * moby's profiles/seccomp setupSeccomp does: native arch + sub-arches from archMap; each rule kept
 * only if its includes (arches, all caps, minKernel) hold and its excludes (arches, any cap) do not.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { invalidArgument } from '../core/index.js';
import type { OciSeccomp, OciSeccompSyscall } from './oci-types.js';

const Filter = z.object({
  caps: z.array(z.string()).optional(),
  arches: z.array(z.string()).optional(),
  minKernel: z.string().optional(),
});
const Arg = z.object({ index: z.number().int(), value: z.number(), valueTwo: z.number().optional(), op: z.string() });
const Syscall = z.object({
  name: z.string().optional(),
  names: z.array(z.string()).optional(),
  action: z.string(),
  args: z.array(Arg).nullable().optional(),
  errnoRet: z.number().int().optional(),
  includes: Filter.optional(),
  excludes: Filter.optional(),
});
const Profile = z.object({
  defaultAction: z.string(),
  defaultErrnoRet: z.number().int().optional(),
  archMap: z.array(z.object({ architecture: z.string(), subArchitectures: z.array(z.string()).nullable().optional() })).optional(),
  architectures: z.array(z.string()).optional(),
  syscalls: z.array(Syscall).optional(),
});

/** Node's process.arch → Go's GOARCH (the names profiles use in includes/excludes.arches). */
export function goArch(nodeArch: string): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64', mips64el: 'mips64le' };
  return map[nodeArch] ?? nodeArch;
}

/** GOARCH → libseccomp's native architecture name. */
export function scmpArch(arch: string): string {
  const map: Record<string, string> = { amd64: 'SCMP_ARCH_X86_64', '386': 'SCMP_ARCH_X86', arm64: 'SCMP_ARCH_AARCH64', arm: 'SCMP_ARCH_ARM', s390x: 'SCMP_ARCH_S390X', ppc64le: 'SCMP_ARCH_PPC64LE', riscv64: 'SCMP_ARCH_RISCV64', mips64le: 'SCMP_ARCH_MIPSEL64' };
  return map[arch] ?? `SCMP_ARCH_${arch.toUpperCase()}`;
}

function kernelAtLeast(kernel: string, min: string): boolean {
  const parse = (v: string): number[] => v.split(/[.-]/).slice(0, 2).map((x) => Number.parseInt(x, 10) || 0);
  const [a = 0, b = 0] = parse(kernel);
  const [c = 0, d = 0] = parse(min);
  return a > c || (a === c && b >= d);
}

export interface SeccompContext {
  /** GOARCH of the host, e.g. 'amd64'. */
  arch: string;
  /** The container's capabilities, e.g. 'CAP_SYS_ADMIN'. */
  caps: readonly string[];
  /** Kernel release, e.g. '6.1.0'. */
  kernel: string;
  /**
   * Architectures this kernel cannot run (e.g. SCMP_ARCH_X32 without CONFIG_X86_X32_ABI): left
   * out of the filter, since their syscalls fail anyway and each arch adds to runc's compile time.
   */
  unsupportedArches?: readonly string[];
}

/** Converts a moby-format profile (already parsed JSON) to OCI linux.seccomp. Throws 'invalid-argument'. */
export function convertSeccompProfile(raw: unknown, ctx: SeccompContext): OciSeccomp {
  const parsed = Profile.safeParse(raw);
  if (!parsed.success) throw invalidArgument(`invalid seccomp profile: ${parsed.error.message}`);
  const p = parsed.data;
  const native = scmpArch(ctx.arch);
  const entry = p.archMap?.find((a) => a.architecture === native);
  const architectures = (entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : (p.architectures ?? []))
    .filter((a) => !(ctx.unsupportedArches ?? []).includes(a));
  const syscalls: OciSeccompSyscall[] = [];
  for (const s of p.syscalls ?? []) {
    const inc = s.includes ?? {};
    const exc = s.excludes ?? {};
    if (inc.arches && inc.arches.length > 0 && !inc.arches.includes(ctx.arch)) continue;
    if (inc.caps && !inc.caps.every((c) => ctx.caps.includes(c))) continue;
    if (inc.minKernel && !kernelAtLeast(ctx.kernel, inc.minKernel)) continue;
    if (exc.arches?.includes(ctx.arch)) continue;
    if (exc.caps?.some((c) => ctx.caps.includes(c))) continue;
    const names = s.names ?? (s.name ? [s.name] : []);
    if (names.length === 0) continue;
    syscalls.push({
      names,
      action: s.action,
      ...(s.errnoRet !== undefined ? { errnoRet: s.errnoRet } : {}),
      ...(s.args && s.args.length > 0
        ? { args: s.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo ? { valueTwo: a.valueTwo } : {}), op: a.op })) }
        : {}),
    });
  }
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet !== undefined ? { defaultErrnoRet: p.defaultErrnoRet } : {}),
    ...(architectures.length > 0 ? { architectures } : {}),
    syscalls,
  };
}

/** Reads and converts a profile file for this host. */
export async function loadSeccompProfile(path: string, caps: readonly string[]): Promise<OciSeccomp> {
  return (await loadSeccompDefaults(path, caps)).filter;
}

/**
 * Reads a profile file and converts it for `caps`, keeping the parsed profile to convert again for
 * containers with other capabilities.
 */
export async function loadSeccompDefaults(path: string, caps: readonly string[]): Promise<{ filter: OciSeccomp; profile: unknown; unsupportedArches: string[] }> {
  const profile: unknown = JSON.parse(await readFile(path, 'utf8'));
  const arches = unsupportedArches(kernelConfig());
  const filter = convertSeccompProfile(profile, { arch: goArch(process.arch), caps, kernel: release(), unsupportedArches: arches });
  return { filter, profile, unsupportedArches: arches };
}

/** Where containers-common installs Docker's default profile. */
export const DEFAULT_SECCOMP_PROFILE = '/usr/share/containers/seccomp.json';

/** Reads the running kernel's config (/proc/config.gz or /boot/config-<release>), if available. */
function kernelConfig(): string | undefined {
  try {
    return gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
  } catch {
    try {
      return readFileSync(`/boot/config-${release()}`, 'utf8');
    } catch {
      return undefined;
    }
  }
}

/** Sub-architectures the kernel says it lacks; unknown config → none (keep the filter whole). */
export function unsupportedArches(config: string | undefined): string[] {
  if (config === undefined) return [];
  const out: string[] = [];
  if (/^# CONFIG_X86_X32_ABI is not set$/m.test(config)) out.push('SCMP_ARCH_X32');
  return out;
}
