/** Volumes, binds and tmpfs (issue 6) with the real docker CLI against berthd: see volume-suite.ts. */
import { defineVolumeSuite } from './volume-suite.js';

defineVolumeSuite('docker');
