export { LayerStore, type LayerInfo, type PendingLayer } from './layer-store.js';
