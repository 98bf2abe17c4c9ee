/** Networking (issue 5) with the real docker CLI against berthd: see network-suite.ts. */
import { defineNetworkSuite } from './network-suite.js';

defineNetworkSuite('docker');
