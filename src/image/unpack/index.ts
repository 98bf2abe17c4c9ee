export { unpackLayer, type UnpackResult, type UnpackOptions } from './unpack-layer.js';
export {
  decompressStream, sniffCompression, DEFAULT_DECOMPRESSORS,
  type Compression, type ExternalCompression, type DecompressOptions,
} from './decompress.js';
export { realUnpackHost, type UnpackHost, type NodeSpec } from './host.js';
export { cleanMemberPath } from './member-path.js';
export { forEachTarEntry } from './each-entry.js';
