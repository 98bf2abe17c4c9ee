/**
 * Network use cases that involve containers: inspect (with the containers on a network),
 * connect and disconnect (of created and running containers), and Docker's JSON views.
 */
import { conflict, forbidden, invalidArgument, notFound } from '../core/index.js';
import type { NetworkRecord, NetworkService } from '../network/index.js';
import type { Containers } from './containers.js';
import type { ContainerRecord } from './record.js';
import type { ContainerStore } from './store.js';
import type { Events } from './events.js';

export interface NetworkOpsDeps {
  networks: NetworkService;
  store: ContainerStore;
  containers: Containers;
  events: Events;
}

/** Docker's network JSON (GET /networks/{id}; the list leaves Containers empty). */
export function networkView(net: NetworkRecord, containers: Record<string, unknown>): Record<string, unknown> {
  return {
    Name: net.name, Id: net.id, Created: net.created, Scope: 'local', Driver: net.driver, EnableIPv6: false,
    IPAM: { Driver: net.ipam.driver, Options: net.ipam.options, Config: net.ipam.config },
    Internal: net.internal, Attachable: net.attachable, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
    Containers: containers, Options: net.options, Labels: net.labels,
  };
}

/** GET /networks/{id} */
export function inspectNetwork(d: NetworkOpsDeps, ref: string): Record<string, unknown> {
  const net = d.networks.records.get(ref);
  const containers: Record<string, unknown> = {};
  for (const id of d.networks.attachments.usersOf(net.id)) {
    const ep = d.networks.attachments.get(id)?.endpoints.find((e) => e.networkId === net.id);
    if (!ep) continue;
    containers[id] = {
      Name: d.store.find(id)?.name ?? '', EndpointID: ep.endpointId, MacAddress: ep.mac,
      IPv4Address: `${ep.ip}/${ep.prefixLen}`, IPv6Address: '',
    };
  }
  return networkView(net, containers);
}

interface EndpointBody {
  IPAMConfig?: { IPv4Address?: string } | null;
  Aliases?: string[] | null;
  MacAddress?: string;
}

/** POST /networks/{id}/connect */
export async function connectContainer(d: NetworkOpsDeps, netRef: string, body: { Container?: string; EndpointConfig?: EndpointBody | null }): Promise<void> {
  if (!body.Container) throw invalidArgument('container is required');
  const net = d.networks.records.get(netRef);
  const rec = d.store.get(body.Container);
  await d.containers.mutex.run(rec.id, async () => {
    const mode = rec.hostConfig.NetworkMode || 'default';
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:') || net.driver !== 'bridge') {
      throw forbidden(`container cannot be disconnected from host network or connected to host network`);
    }
    if (rec.networks?.[net.name] || d.networks.attachments.get(rec.id)?.endpoints.some((e) => e.networkId === net.id)) {
      throw forbidden(`endpoint with name ${rec.name} already exists in network ${net.name}`);
    }
    const ep = body.EndpointConfig ?? {};
    const ip = ep.IPAMConfig?.IPv4Address || undefined;
    const aliases = ep.Aliases ?? [];
    if (net.predefined && (ip || aliases.length > 0)) {
      throw invalidArgument(ip
        ? 'user specified IP address is supported on user defined networks only'
        : 'network-scoped alias is supported only for containers in user defined networks');
    }
    if (d.containers.isRunning(rec)) {
      await d.networks.attachments.connect(rec.id, {
        network: net.id, aliases, ...(ip ? { ip } : {}), ...(ep.MacAddress ? { mac: ep.MacAddress } : {}),
      });
    }
    d.events.emit('network', 'connect', net.id, { container: rec.id, name: net.name, type: net.driver });
    rec.networks = {
      ...(rec.networks ?? {}),
      [net.name]: { NetworkID: net.id, Aliases: aliases.length > 0 ? aliases : null, IPAMConfig: ip ? { IPv4Address: ip } : null, MacAddress: ep.MacAddress ?? '' },
    };
    await d.store.save(rec);
  });
}

/** POST /networks/{id}/disconnect */
export async function disconnectContainer(d: NetworkOpsDeps, netRef: string, body: { Container?: string; Force?: boolean }): Promise<void> {
  if (!body.Container) throw invalidArgument('container is required');
  const net = d.networks.records.find(netRef);
  const rec: ContainerRecord | undefined = d.store.find(body.Container);
  if (!rec) {
    if (body.Force && net) return;
    throw notFound(`No such container: ${body.Container}`);
  }
  if (!net) throw notFound(`network ${netRef} not found`);
  await d.containers.mutex.run(rec.id, async () => {
    const attached = d.networks.attachments.get(rec.id)?.endpoints.some((e) => e.networkId === net.id) ?? false;
    if (!rec.networks?.[net.name] && !attached) {
      throw forbidden(`container ${rec.id} is not connected to network ${net.name}`);
    }
    if (net.driver !== 'bridge') throw conflict('container cannot be disconnected from host network or connected to host network');
    if (attached) await d.networks.attachments.disconnect(rec.id, net.id);
    d.events.emit('network', 'disconnect', net.id, { container: rec.id, name: net.name, type: net.driver });
    if (rec.networks) {
      const { [net.name]: _gone, ...rest } = rec.networks;
      rec.networks = rest;
    }
    await d.store.save(rec);
  });
}
