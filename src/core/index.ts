export * from './errors.js';
export * from './logger.js';
export * from './ids.js';
export * from './digest.js';
export * from './fs.js';
