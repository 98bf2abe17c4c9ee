/**
 * Compiled seccomp filters, kept so that crun compiles each profile once per daemon instead of
 * once per container. libseccomp turning Docker's profile into BPF costs ~6 ms of every crun
 * create here; crun writes the program it loaded to `<state>/<id>/seccomp.bpf`, and takes a
 * ready one from the `run.oci.seccomp_bpf_data` annotation (base64) instead of compiling.
 * Keys are the sha256 of the filter as written to config.json, so a different profile, arch
 * list or capability set never reuses another's program.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OciSeccomp, OciSpec } from './oci-types.js';

export const SECCOMP_BPF_ANNOTATION = 'run.oci.seccomp_bpf_data';

/** Distinct filters kept at most (each ~8 KiB of base64); a daemon normally sees a handful. */
const MAX_ENTRIES = 64;

export class SeccompBpfCache {
  private readonly programs = new Map<string, string>();

  /** @param stateRoot crun's `--root`, where it keeps `<id>/seccomp.bpf`. */
  constructor(private readonly stateRoot: string) {}

  static key(filter: OciSeccomp): string {
    return createHash('sha256').update(JSON.stringify(filter)).digest('hex');
  }

  /**
   * Adds the compiled program to the spec when this filter was compiled before; returns the key
   * to `learn` from after the create succeeded (undefined: nothing to learn).
   */
  apply(spec: OciSpec): string | undefined {
    const filter = spec.linux?.seccomp;
    if (!filter) return undefined;
    const key = SeccompBpfCache.key(filter);
    const program = this.programs.get(key);
    if (program === undefined) return key;
    spec.annotations = { ...spec.annotations, [SECCOMP_BPF_ANNOTATION]: program };
    return undefined;
  }

  /** Keeps the program crun compiled for container `id` under `key`. Missing file: nothing kept. */
  async learn(key: string, id: string): Promise<void> {
    if (this.programs.has(key)) return;
    let bpf: Buffer;
    try {
      bpf = await readFile(join(this.stateRoot, id, 'seccomp.bpf'));
    } catch {
      return;
    }
    // A BPF program is a whole number of 8-byte instructions; anything else is not one.
    if (bpf.length === 0 || bpf.length % 8 !== 0) return;
    if (this.programs.size >= MAX_ENTRIES) this.programs.delete(this.programs.keys().next().value as string);
    this.programs.set(key, bpf.toString('base64'));
  }

  get size(): number {
    return this.programs.size;
  }
}
