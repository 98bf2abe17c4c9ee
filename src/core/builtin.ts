/**
 * Node built-ins loaded on first use. Each built-in loaded at start costs every CLI command
 * (node:crypto alone ~3 ms, node:http and node:fs/promises ~1 ms each, on a start path of
 * ~40 ms). `import()` is not an option: the CLI bundle runs as a vm.Script, which has no
 * dynamic-import hook.
 */

// The CLI bundle is CommonJS: its own `require` loads built-ins. Under ESM (the daemon, tsx,
// tests) Node ≥ 20.16 hands them out itself; node:module is not imported for that, as loading it
// costs the CLI ~0.3 ms.
declare const require: NodeJS.Require | undefined;
const requireBuiltin = (id: string): unknown => (typeof require === 'function' ? require(id) : process.getBuiltinModule(id));

export function crypto(): typeof import('node:crypto') {
  return requireBuiltin('node:crypto') as typeof import('node:crypto');
}

export function childProcess(): typeof import('node:child_process') {
  return requireBuiltin('node:child_process') as typeof import('node:child_process');
}

export function http(): typeof import('node:http') {
  return requireBuiltin('node:http') as typeof import('node:http');
}

export function fsp(): typeof import('node:fs/promises') {
  return requireBuiltin('node:fs/promises') as typeof import('node:fs/promises');
}
