export { ImageRecords, type StoredImage } from './image-records.js';
export { TagStore, type TagEntry } from './tag-store.js';
