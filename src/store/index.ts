/**
 * The image and layer store: blobs by digest, unpacked layers by chain id, image records and
 * tags, all under the data root. See ARCHITECTURE.md "On disk".
 */
export { storePaths, type StorePaths } from './paths.js';
export { makeTempDir, clearTempDirs } from './tmp-dirs.js';
export { chainIds } from './chain-id.js';
export { ContentStore } from './content/index.js';
export { LayerStore, type LayerInfo, type PendingLayer } from './layers/index.js';
export { ImageRecords, TagStore, LayerBlobs, type StoredImage, type TagEntry, type LayerBlob } from './metadata/index.js';
