export * from './types.js';
export * from './framing.js';
export * from './version.js';
