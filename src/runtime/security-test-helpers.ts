/** Fixtures for security.test.ts: a minimal plan and spec builders. Test-only. */
import type { ContainerPlan } from './types.js';
import type { OciProcess, OciSpec } from './oci-types.js';
import { buildSpec as build, type SpecOptions } from './spec.js';
import { execProcessSpec } from './exec.js';

const root = { uid: 0, gid: 0, additionalGids: [], home: '/root' };

/** A spec for a minimal plan with `over` applied. */
export function buildSpec(over: Partial<ContainerPlan>, opts: Omit<SpecOptions, 'user'>): OciSpec {
  const plan: ContainerPlan = {
    id: 'c'.repeat(64), bundleDir: '/b', lowerDirs: ['/l'], upperDir: '/u', workDir: '/w', logPath: '/log',
    hostnamePath: '/h', hostsPath: '/hs', resolvConfPath: '/r',
    process: { args: ['sh'], env: [], cwd: '/', user: '', tty: false, openStdin: false },
    hostname: 'box', domainname: '', mounts: [], readonlyRootfs: false, init: false, network: { mode: 'none' },
    ...over,
  };
  return build(plan, { user: root, ...opts });
}

/** An exec's process spec in a no-new-privileges container, plain and privileged. */
export function execProcessSpecCaps(host: readonly string[]): { plain: OciProcess; privileged: OciProcess } {
  const container = buildSpec({ security: { noNewPrivileges: true } }, {});
  const spec = { args: ['id'], env: [], cwd: '', user: '', tty: false, openStdin: false };
  return {
    plain: execProcessSpec(container, spec, root, host),
    privileged: execProcessSpec(container, { ...spec, privileged: true }, root, host),
  };
}
