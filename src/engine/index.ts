export { Engine, type EngineOptions } from './engine.js';
export type { ClientStream } from './client-stream.js';
export type { AttachOptions } from './attach.js';
export type { ContainerRecord } from './record.js';
export { parseSignal } from './exit-codes.js';
export type { LogEntry } from './logs-types.js';
export { formatLogTimestamp } from './logs/index.js';
export { parseDetachKeys, DEFAULT_DETACH_KEYS } from './detach-keys.js';
export { connectContainer, disconnectContainer, inspectNetwork, networkView } from './network-ops.js';
