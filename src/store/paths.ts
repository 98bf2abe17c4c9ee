import { join } from 'node:path';

/** Where each part of the image store lives under the data root (see ARCHITECTURE.md). */
export interface StorePaths {
  readonly root: string;
  /** `content/blobs/sha256`: blobs named by the hex of their digest. */
  readonly blobs: string;
  /** `content/layer-blobs.json`: diff id → the blob each layer came as. */
  readonly layerBlobs: string;
  /** `layers`: one `<chainid-hex>/` per unpacked layer. */
  readonly layers: string;
  /** `images`: image records and `repositories.json`. */
  readonly images: string;
  /** `tmp`: work dirs of operations in progress; emptied on open. */
  readonly tmp: string;
}

/** The store layout under `dataRoot`. */
export function storePaths(dataRoot: string): StorePaths {
  return {
    root: dataRoot,
    blobs: join(dataRoot, 'content', 'blobs', 'sha256'),
    layerBlobs: join(dataRoot, 'content', 'layer-blobs.json'),
    layers: join(dataRoot, 'layers'),
    images: join(dataRoot, 'images'),
    tmp: join(dataRoot, 'tmp'),
  };
}
