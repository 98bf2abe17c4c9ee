/** Resources, supervision and events (issue 8) with the real docker CLI against berthd: see resources-suite.ts. */
import { defineResourceSuite } from './resources-suite.js';

defineResourceSuite('docker');
