export * from './types.js';
export * from './framing.js';
export * from './version.js';
export * from './human.js';
export * from './tar-header.js';
