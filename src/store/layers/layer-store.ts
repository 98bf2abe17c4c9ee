import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { atomicWriteJson, digestHex, isDigest, type Logger } from '../../core/index.js';
import { makeTempDir } from '../tmp-dirs.js';
import { chainIds } from '../chain-id.js';

/** What the store remembers of an unpacked layer (`layers/<chainid-hex>/layer.json`). */
export interface LayerInfo {
  readonly chainId: string;
  readonly diffId: string;
  /** Chain id of the layer below, or '' for a base layer. */
  readonly parent: string;
  /** Bytes of regular file content in the layer. */
  readonly size: number;
}

/** A layer being unpacked: `diff` is where the files go; commit() moves it into the store. */
export interface PendingLayer {
  readonly dir: string;
  readonly diff: string;
}

const LayerInfoSchema = z.object({
  chainId: z.string().refine(isDigest),
  diffId: z.string().refine(isDigest),
  parent: z.string(),
  size: z.number().int().nonnegative(),
});

/**
 * Unpacked layers, one directory per chain id, shared by every image that stacks them.
 * A layer appears only complete: it is unpacked under tmp/ and renamed into place.
 */
export class LayerStore {
  private readonly layers = new Map<string, LayerInfo>();

  constructor(
    private readonly dir: string,
    private readonly tmp: string,
    private readonly logger: Logger,
  ) {}

  /** Reads the layer dirs; drops (removes) those without valid metadata. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.dir)) {
      const info = await this.readInfo(name);
      if (info && digestHex(info.chainId) === name) this.layers.set(info.chainId, info);
      else {
        this.logger.warn('removing incomplete layer dir', { layer: name });
        await this.discard(join(this.dir, name));
      }
    }
  }

  /** Absolute dir of a layer's files. */
  diffDir(chainId: string): string {
    return join(this.dir, digestHex(chainId), 'diff');
  }

  has(chainId: string): boolean {
    return this.layers.has(chainId);
  }

  get(chainId: string): LayerInfo | undefined {
    return this.layers.get(chainId);
  }

  /** Every stored chain id. */
  all(): string[] {
    return [...this.layers.keys()];
  }

  /** A fresh work dir for unpacking a layer. */
  async begin(): Promise<PendingLayer> {
    const dir = await makeTempDir(this.tmp, 'layer');
    const diff = join(dir, 'diff');
    await mkdir(diff, { mode: 0o755 });
    return { dir, diff };
  }

  /**
   * Commits an unpacked layer under its chain id (computed from `parent` and `diffId`). When that
   * chain id is already stored, the pending copy is discarded and the stored one returned.
   */
  async commit(pending: PendingLayer, meta: { diffId: string; parent: string; size: number }): Promise<LayerInfo> {
    const chainId = meta.parent === '' ? meta.diffId : chainIds([meta.parent, meta.diffId])[1]!;
    const existing = this.layers.get(chainId);
    if (existing) {
      await this.abort(pending);
      return existing;
    }
    const info: LayerInfo = { chainId, diffId: meta.diffId, parent: meta.parent, size: meta.size };
    await atomicWriteJson(join(pending.dir, 'layer.json'), info);
    try {
      await rename(pending.dir, join(this.dir, digestHex(chainId)));
    } catch (err) {
      // A concurrent unpack of the same layer won the rename: use its copy.
      const winner = await this.readInfo(digestHex(chainId));
      if (!winner) throw err;
      await this.abort(pending);
      this.layers.set(chainId, winner);
      return winner;
    }
    this.layers.set(chainId, info);
    return info;
  }

  /** Throws away a pending layer. */
  async abort(pending: PendingLayer): Promise<void> {
    await rm(pending.dir, { recursive: true, force: true });
  }

  /** Removes a layer: renamed out of the store first, so a crash never leaves half a layer. */
  async remove(chainId: string): Promise<void> {
    this.layers.delete(chainId);
    await this.discard(join(this.dir, digestHex(chainId)));
  }

  private async discard(path: string): Promise<void> {
    try {
      await stat(path);
    } catch {
      return;
    }
    const trash = await makeTempDir(this.tmp, 'trash');
    await rename(path, join(trash, 'layer'));
    await rm(trash, { recursive: true, force: true });
  }

  private async readInfo(name: string): Promise<LayerInfo | undefined> {
    try {
      const raw: unknown = JSON.parse(await readFile(join(this.dir, name, 'layer.json'), 'utf8'));
      const parsed = LayerInfoSchema.safeParse(raw);
      await stat(join(this.dir, name, 'diff'));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
