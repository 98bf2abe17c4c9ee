export { ImageRecords, type StoredImage } from './image-records.js';
export { TagStore, type TagEntry } from './tag-store.js';
export { LayerBlobs, type LayerBlob } from './layer-blobs.js';
