/** Volumes, binds and tmpfs (issue 6) with the berth CLI against berthd: see volume-suite.ts. */
import { defineVolumeSuite } from './volume-suite.js';

defineVolumeSuite('berth');
