/**
 * What the network subsystem keeps and exchanges: network records (data root), container
 * attachments (exec root: they live exactly as long as the kernel state they describe).
 */

export type NetworkDriver = 'bridge' | 'host' | 'null';

export interface IpamConfigEntry {
  Subnet: string;
  Gateway: string;
  IPRange?: string;
}

/** A network as persisted in data-root/networks/<id>.json. */
export interface NetworkRecord {
  id: string;
  name: string;
  /** RFC 3339 with nanoseconds, as Docker prints it. */
  created: string;
  driver: NetworkDriver;
  internal: boolean;
  attachable: boolean;
  labels: Record<string, string>;
  /** Driver options as given (`-o`), shown by inspect. */
  options: Record<string, string>;
  ipam: { driver: string; options: Record<string, string> | null; config: IpamConfigEntry[] };
  /** Host bridge interface (bridge driver). */
  bridge?: string;
  mtu?: number;
  /** Name resolution through aardvark-dns: user networks yes, the default bridge no. */
  dns: boolean;
  /** The subnet was given (--subnet): only then may containers ask for an address (--ip). */
  userSubnet?: boolean;
  /** bridge, host and none: made by the daemon, never removed. */
  predefined?: boolean;
}

/** One published port as requested: a host port of 0 means "any free one". */
export interface PortRequest {
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  /** '' = every address. */
  hostIp: string;
  hostPort: number;
  /** Last port of a host port range (`8000-8010:80` picks one free port in it). */
  hostPortEnd?: number;
}

/** A published port as set up. */
export interface PortMapping {
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIp: string;
  hostPort: number;
}

/** A container's wish to join one network (from NetworkingConfig / connect). */
export interface EndpointRequest {
  /** Network name or id. */
  network: string;
  aliases: string[];
  ip?: string;
  mac?: string;
}

export interface AttachRequest {
  containerId: string;
  containerName: string;
  endpoints: EndpointRequest[];
  ports: PortRequest[];
  /** Upstream resolvers for name resolution on user networks (`--dns`). */
  dnsServers?: string[];
}

/** One network interface of a container, as set up. */
export interface Endpoint {
  networkId: string;
  networkName: string;
  endpointId: string;
  interfaceName: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
  aliases: string[];
  /** Names aardvark-dns answers for (container name, short id, aliases); empty without DNS. */
  dnsNames: string[];
}

/** A container's network namespace with its interfaces and ports (exec-root/network/containers/<id>.json). */
export interface Attachment {
  containerId: string;
  containerName: string;
  /** /run/netns/<name> */
  netnsPath: string;
  endpoints: Endpoint[];
  ports: PortMapping[];
  dnsServers: string[];
}

/** What a container's /etc/resolv.conf needs from its networks. */
export interface DnsSettings {
  /** Nameservers to write (aardvark on the gateway for user networks); empty = the host's. */
  nameservers: string[];
}
