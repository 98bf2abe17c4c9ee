/** Security options and the API over TCP/TLS (issue 8) with the real docker CLI: see security-suite.ts. */
import { defineSecuritySuite } from './security-suite.js';

defineSecuritySuite('docker');
