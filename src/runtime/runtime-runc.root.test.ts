// The runtime.root.test.ts suites again on runc, berthd's runtime where crun cannot run.
process.env['BERTH_TEST_RUNTIME'] = 'runc';
await import('./runtime.root.test.js');
