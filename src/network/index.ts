/** Networks and published ports on netavark: the surface the engine and the API use. */
export { NetworkService, type NetworkServiceOptions, type NetworkFilters } from './service.js';
export type { CreateNetworkRequest, NetworkDefaults } from './networks.js';
export type { PreparedAttachment } from './attachments.js';
export type { CommandRunner } from './netavark.js';
export { portRequests, portsView, portsSummary, parsePortKey, type PortsView } from './ports.js';
export { DEFAULT_POOLS, parseCidr, parseIp } from './ip.js';
export type {
  Attachment, AttachRequest, Endpoint, EndpointRequest, NetworkRecord, PortMapping, PortRequest,
} from './types.js';
