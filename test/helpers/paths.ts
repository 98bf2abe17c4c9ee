/** Paths of the checkout the tests run from. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BERTHD_BIN = join(REPO_ROOT, 'bin', 'berthd');
export const BERTH_BIN = join(REPO_ROOT, 'bin', 'berth');
export const DOCKER_BIN = process.env['BERTH_TEST_DOCKER'] ?? '/usr/local/bin/docker';

/** True when running as root (integration and compat tests need it). */
export const IS_ROOT = process.getuid?.() === 0;
