/** Public surface of the Engine API client. */
export { Client, createClient } from './client.js';
export type { ClientOptions, AttachOptions, LogsOptions, PendingWait, ImportOptions } from './client.js';
export type { CommitOptions, ContainerChange } from './client.js';
export { ApiError, ConnectError } from './errors.js';
export { DEFAULT_HOST, parseHost } from './host.js';
export type { Endpoint } from './host.js';
export type { Hijacked, Query } from './transport.js';
export { encodeQuery, readText } from './transport.js';
export { demux, copyRaw, jsonLines, write, SystemError } from './streams.js';
export type { DemuxTargets } from './streams.js';
export type * from './types.js';
export { jsonObjects } from './json-objects.js';
export type * from '../protocol/stats.js';
