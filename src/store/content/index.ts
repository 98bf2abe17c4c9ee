export { ContentStore } from './content-store.js';
