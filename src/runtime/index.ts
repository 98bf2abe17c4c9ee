/** Public surface of the container runtime: OCI spec + bundle; runc/crun via conmon; the Host seam. */
export * from './types.js';
export { createRuntime, ConmonRuntime } from './runtime.js';
export type { RuntimeOptions } from './runtime.js';
export { detectRuntime, cgroupMode } from './detect.js';
export type { DetectedRuntime, CgroupMode } from './detect.js';
export { nodeHost } from './host.js';
export type { Host, HostChild, MonitorStart, RunResult } from './host.js';
export { buildSpec } from './spec.js';
export type { SpecOptions } from './spec.js';
export type { OciSpec, OciSeccomp } from './oci-types.js';
export { resolveUser } from './user.js';
export type { ResolvedUser } from './user.js';
export { parseSignal } from './signals.js';
export { convertSeccompProfile, loadSeccompProfile, DEFAULT_SECCOMP_PROFILE } from './seccomp.js';
export { DEFAULT_CAPABILITIES } from './defaults.js';
export { normalizeCapabilities, tweakCapabilities, hostCapabilities, KNOWN_CAPABILITIES } from './capabilities.js';
export { parseDeviceCgroupRule } from './devices.js';
