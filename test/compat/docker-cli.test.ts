/** The real docker CLI (/usr/local/bin/docker, v28) against berthd: see cli-suite.ts. */
import { defineCliSuite } from './cli-suite.js';

defineCliSuite('docker');
