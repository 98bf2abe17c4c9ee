/** Networking (issue 5) with the berth CLI against berthd: see network-suite.ts. */
import { defineNetworkSuite } from './network-suite.js';

defineNetworkSuite('berth');
