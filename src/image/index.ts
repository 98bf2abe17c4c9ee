/**
 * Images: references, the image service (load, import, list, inspect, history, tag, remove,
 * pull, push, save, prune) over the store in src/store, and the layer unpacker.
 */
export * from './types.js';
export { createImageService, type ImageServiceOptions } from './image-service.js';
export type { PruneReport } from './registry/prune.js';
export { humanSize, progressBar } from './registry/progress.js';
export {
  parseReference, familiarString, familiarName, referenceString, withDefaultTag, repoTagReference,
  DEFAULT_TAG, type ImageReference,
} from './reference.js';
export { applyChanges } from './changes.js';
export { parseImageConfig } from './config-schema.js';
export {
  unpackLayer, decompressStream, forEachTarEntry, sniffCompression, realUnpackHost,
  type UnpackResult, type UnpackOptions, type UnpackHost, type NodeSpec, type Compression,
} from './unpack/index.js';
export type { ListOptions } from './list.js';
export { EMPTY_TAR_DIFF_ID, type CommitImageOptions, type CommitImageService } from './commit.js';
export { layerTar, type LayerTarOptions } from './registry/layer-tar.js';
