// Bundles the CLI and the daemon into one file each (dist/berth.js, dist/berthd.js), so that
// starting them loads one module instead of hundreds: the CLI's start path is on every `run`.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  // native addons stay in node_modules
  external: ['node-unix-socket', 'fs-xattr'],
  banner: { js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/berth.js' }),
  build({ ...common, entryPoints: ['src/daemon/main.ts'], outfile: 'dist/berthd.js' }),
]);
