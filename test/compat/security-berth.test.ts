/** Security options and the API over TCP (issue 8) with the berth CLI: see security-suite.ts. */
import { defineSecuritySuite } from './security-suite.js';

defineSecuritySuite('berth');
