/** Resources, supervision and events (issue 8) with the berth CLI against berthd: see resources-suite.ts. */
import { defineResourceSuite } from './resources-suite.js';

defineResourceSuite('berth');
