/**
 * The OCI distribution client: manifests, blobs, pushes and auth against registries
 * (https://github.com/opencontainers/distribution-spec), as Docker's daemon speaks it.
 */
export * from './types.js';
export { createRegistryClient } from './registry-client.js';
export { parseRegistryAuthHeader } from './auth-header.js';
