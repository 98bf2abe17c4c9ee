import type { ImageReference } from '../reference.js';
import type { SpooledFile } from './spool.js';

/** One image found in a load archive, whatever its format. */
export interface ImageSource {
  /** The config JSON member (its digest is the image id). */
  readonly config: SpooledFile;
  /** Layer tarballs (plain or gzip), bottom first. */
  readonly layers: readonly SpooledFile[];
  /** References to tag it with. */
  readonly names: readonly ImageReference[];
}
