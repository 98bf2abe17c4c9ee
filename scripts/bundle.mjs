// Bundles the CLI and the daemon into one file each (dist/berth.cjs, dist/berthd.js), so that
// starting them loads one module instead of hundreds: the CLI's start path is on every `run`.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
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

// The CLI is CommonJS: bin/berth compiles it through vm.Script with a V8 code cache, which
// ESM cannot use on Node 20 (no module.enableCompileCache), and a CJS start is a few ms cheaper.
const { banner: _esmBanner, ...cjs } = common;
await Promise.all([
  build({ ...cjs, format: 'cjs', minify: process.env.BERTH_NO_MINIFY !== '1', keepNames: true, entryPoints: ['src/cli/main.ts'], outfile: 'dist/berth.cjs' }),
  build({ ...common, entryPoints: ['src/daemon/main.ts'], outfile: 'dist/berthd.js' }),
]);
rmSync('dist/berth.js', { force: true });
rmSync('dist/berth.js.map', { force: true });
// the CLI's code caches (dist/berth.cjs.<command>.v8cache) belong to the old bundle; warm one
for (const f of readdirSync('dist')) if (f.startsWith('berth.cjs.') && f.includes('v8cache')) rmSync(`dist/${f}`, { force: true });
execFileSync(process.execPath, ['bin/berth', '--help'], { stdio: 'ignore' });
