/** The berth CLI against berthd, held to the same behaviour as the docker CLI: see cli-suite.ts. */
import { defineCliSuite } from './cli-suite.js';

defineCliSuite('berth');
