/** Volumes with the local driver: the surface the engine uses. */
export { Volumes, type VolumeRecord, type VolumeRunner, type CreateVolumeRequest } from './volumes.js';
