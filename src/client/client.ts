import type { ApiResponse } from './wire.js';
import type { Readable } from 'node:stream';
import type {
  ContainerCreateBody, ContainerInspect, ContainerSummary, ExecCreateBody, ExecInspect,
  ImageDeleteItem, ImageHistoryItem, ImageInspect, ImageSummary, WaitResponse,
} from '../protocol/types.js';
import { parseHost } from './host.js';
import { Transport, type Hijacked, type Query } from './transport.js';
import type {
  ContainersPruneResponse, CreateResponse, DiskUsage, EventsOptions, Filters, ImagesPruneResponse, SystemInfo, SystemVersion, TopResponse,
  UpdateBody, UpdateResponse, Volume, VolumeCreateBody, VolumeListResponse, VolumesPruneResponse,
} from './types.js';
import type { ContainerPathStat } from './types.js';

export interface ClientOptions {
  /** `unix:///path` or `tcp://host:port`; default unix:///run/berth/berth.sock. */
  host?: string;
  /** Pin an API version instead of negotiating. */
  version?: string;
}

export interface AttachOptions {
  stream?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  logs?: boolean;
  detachKeys?: string;
}

export interface LogsOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  timestamps?: boolean;
  tail?: string;
  since?: string;
  until?: string;
  details?: boolean;
}

/** A wait registered with the daemon: headers received, result pending. */
export interface PendingWait {
  result: Promise<WaitResponse>;
}

export interface ImportOptions {
  fromSrc: string;
  repo?: string;
  tag?: string;
  message?: string;
  changes?: string[];
  platform?: string;
}

/** Options of containerCommit (POST /commit). */
export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  changes?: string[];
  pause?: boolean;
}

/** One entry of GET /containers/{id}/changes: Kind 0 modified, 1 added, 2 deleted. */
export interface ContainerChange {
  Path: string;
  Kind: number;
}

/** The Go client's trimID for containers: surrounding space dropped; empty fails before any request. */
function containerId(ref: string): string {
  const t = ref.trim();
  if (t === '') throw new Error('invalid container name or ID: value is empty');
  return t;
}

const filtersQuery = (f: Filters | undefined): string | undefined =>
  f === undefined || Object.keys(f).length === 0 ? undefined : JSON.stringify(
    Object.fromEntries(Object.entries(f).map(([k, vs]) => [k, Object.fromEntries(vs.map((v) => [v, true]))])),
  );

const enc = encodeURIComponent;

/**
 * Typed Docker Engine API client: one method per endpoint the CLI uses.
 * Methods throw ApiError (non-2xx) or ConnectError (daemon unreachable).
 */
export class Client {
  readonly transport: Transport;

  constructor(options: ClientOptions = {}) {
    this.transport = new Transport(parseHost(options.host), options.version === undefined ? {} : { version: options.version });
  }

  get host(): string {
    return this.transport.endpoint.url;
  }

  close(): void {
    this.transport.close();
  }

  // --- system ---
  ping(): Promise<ApiResponse['headers']> {
    return this.transport.ping();
  }
  version(): Promise<SystemVersion> {
    return this.transport.json({ method: 'GET', path: '/version' });
  }
  info(): Promise<SystemInfo> {
    return this.transport.json({ method: 'GET', path: '/info' });
  }

  // --- containers ---
  containerCreate(body: ContainerCreateBody, opts: { name?: string; platform?: string } = {}): Promise<CreateResponse> {
    return this.transport.json({ method: 'POST', path: '/containers/create', query: { name: opts.name, platform: opts.platform }, json: body });
  }
  containerStart(id: string, opts: { detachKeys?: string } = {}): Promise<void> {
    return this.transport.call({ method: 'POST', path: `/containers/${enc(id)}/start`, query: { detachKeys: opts.detachKeys } });
  }
  containerStop(id: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    return this.transport.call({ method: 'POST', path: `/containers/${enc(id)}/stop`, query: { t: opts.timeout, signal: opts.signal } });
  }
  containerRestart(id: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    return this.transport.call({ method: 'POST', path: `/containers/${enc(id)}/restart`, query: { t: opts.timeout, signal: opts.signal } });
  }
  containerKill(id: string, signal?: string): Promise<void> {
    return this.transport.call({ method: 'POST', path: `/containers/${enc(id)}/kill`, query: { signal } });
  }
  containerRemove(id: string, opts: { force?: boolean; volumes?: boolean; link?: boolean } = {}): Promise<void> {
    const query: Query = { force: opts.force === true ? '1' : undefined, v: opts.volumes === true ? '1' : undefined, link: opts.link === true ? '1' : undefined };
    return this.transport.call({ method: 'DELETE', path: `/containers/${enc(id)}`, query });
  }
  containerInspect(id: string, opts: { size?: boolean } = {}): Promise<ContainerInspect> {
    return this.transport.json({ method: 'GET', path: `/containers/${enc(id)}/json`, query: { size: opts.size === true ? '1' : undefined } });
  }
  /** Raw inspect JSON, to print exactly what the daemon sent. */
  containerInspectRaw(id: string): Promise<unknown> {
    return this.transport.json({ method: 'GET', path: `/containers/${enc(id)}/json` });
  }
  containerList(opts: { all?: boolean; limit?: number; size?: boolean; filters?: Filters } = {}): Promise<ContainerSummary[]> {
    const query: Query = {
      all: opts.all === true ? '1' : undefined,
      limit: opts.limit !== undefined && opts.limit > 0 ? opts.limit : undefined,
      size: opts.size === true ? '1' : undefined,
      filters: filtersQuery(opts.filters),
    };
    return this.transport.json({ method: 'GET', path: '/containers/json', query });
  }
  /** Registers a wait and resolves once the daemon has answered the headers. */
  async containerWait(id: string, condition?: 'not-running' | 'next-exit' | 'removed'): Promise<PendingWait> {
    const res = await this.transport.stream({ method: 'POST', path: `/containers/${enc(id)}/wait`, query: { condition } });
    const result = readJson<WaitResponse>(res);
    result.catch(() => undefined);
    return { result };
  }
  containerAttach(id: string, opts: AttachOptions): Promise<Hijacked> {
    const query: Query = {
      stream: opts.stream === true ? '1' : undefined,
      stdin: opts.stdin === true ? '1' : undefined,
      stdout: opts.stdout === true ? '1' : undefined,
      stderr: opts.stderr === true ? '1' : undefined,
      logs: opts.logs === true ? '1' : undefined,
      detachKeys: opts.detachKeys,
    };
    return this.transport.hijack({ method: 'POST', path: `/containers/${enc(id)}/attach`, query });
  }
  containerLogs(id: string, opts: LogsOptions): Promise<ApiResponse> {
    const query: Query = {
      stdout: opts.stdout === true ? '1' : undefined,
      stderr: opts.stderr === true ? '1' : undefined,
      follow: opts.follow === true ? '1' : undefined,
      timestamps: opts.timestamps === true ? '1' : undefined,
      details: opts.details === true ? '1' : undefined,
      tail: opts.tail,
      since: opts.since,
      until: opts.until,
    };
    return this.transport.stream({ method: 'GET', path: `/containers/${enc(id)}/logs`, query });
  }
  containerResize(id: string, height: number, width: number): Promise<void> {
    return this.transport.call({ method: 'POST', path: `/containers/${enc(id)}/resize`, query: { h: height, w: width } });
  }
  containerTop(id: string, psArgs?: string): Promise<TopResponse> {
    return this.transport.json({ method: 'GET', path: `/containers/${enc(id)}/top`, query: { ps_args: psArgs } });
  }
  containerRename(id: string, name: string): Promise<void> {
    return this.transport.call({ method: 'POST', path: `/containers/${enc(id)}/rename`, query: { name } });
  }
  /** GET /containers/{id}/stats: one JSON sample per line (stream) or one sample; read with jsonObjects(). */
  containerStats(id: string, opts: { stream: boolean; oneShot?: boolean; signal?: AbortSignal }): Promise<ApiResponse> {
    const query: Query = { stream: opts.stream ? '1' : '0', 'one-shot': opts.oneShot === true ? '1' : undefined };
    return this.transport.stream({ method: 'GET', path: `/containers/${enc(id)}/stats`, query, ...(opts.signal ? { signal: opts.signal } : {}) });
  }
  containersPrune(filters?: Filters): Promise<ContainersPruneResponse> {
    return this.transport.json({ method: 'POST', path: '/containers/prune', query: { filters: filtersQuery(filters) } });
  }
  /** POST /commit: an image from the container's changes; `pause` false sends `pause=0` as docker does. */
  containerCommit(container: string, opts: CommitOptions = {}): Promise<{ Id: string }> {
    const query: Query = {
      container: containerId(container), repo: opts.repo, tag: opts.tag, comment: opts.comment, author: opts.author,
      changes: opts.changes !== undefined && opts.changes.length > 0 ? opts.changes : undefined,
      pause: opts.pause === false ? '0' : undefined,
    };
    return this.transport.json({ method: 'POST', path: '/commit', query });
  }
  /** GET /containers/{id}/export: the container's filesystem as a tar stream. */
  containerExport(id: string): Promise<ApiResponse> {
    return this.transport.stream({ method: 'GET', path: `/containers/${enc(containerId(id))}/export` });
  }
  /** GET /containers/{id}/changes (the daemon answers null for none). */
  async containerChanges(id: string): Promise<ContainerChange[]> {
    return (await this.transport.json<ContainerChange[] | null>({ method: 'GET', path: `/containers/${enc(containerId(id))}/changes` })) ?? [];
  }
  /** POST /containers/{id}/update: new resources and restart policy; answers the daemon's warnings. */
  containerUpdate(id: string, body: UpdateBody): Promise<UpdateResponse> {
    return this.transport.json({ method: 'POST', path: `/containers/${enc(containerId(id))}/update`, json: body });
  }
  /** POST /containers/{id}/pause */
  containerPause(id: string): Promise<void> {
    return this.transport.call({ method: 'POST', path: `/containers/${enc(containerId(id))}/pause` });
  }
  /** POST /containers/{id}/unpause */
  containerUnpause(id: string): Promise<void> {
    return this.transport.call({ method: 'POST', path: `/containers/${enc(containerId(id))}/unpause` });
  }
  /** GET /events: newline-delimited JSON messages until `until` (the daemon ends the body) or `signal` aborts. */
  events(opts: EventsOptions = {}): Promise<ApiResponse> {
    const query: Query = { filters: filtersQuery(opts.filters), since: opts.since, until: opts.until };
    return this.transport.stream({ method: 'GET', path: '/events', query, ...(opts.signal === undefined ? {} : { signal: opts.signal }) });
  }

  // --- archive (docker cp; moby api/swagger.yaml "ContainerArchive*") ---
  /** HEAD /containers/{id}/archive: the stat of a path in the container. */
  async containerStatPath(id: string, path: string): Promise<ContainerPathStat> {
    const res = await this.transport.stream({ method: 'HEAD', path: `/containers/${enc(id)}/archive`, query: { path } });
    res.resume();
    return decodePathStat(res.headers['x-docker-container-path-stat']);
  }
  /** GET /containers/{id}/archive: the path's stat and a tar stream of it. */
  async containerArchive(id: string, path: string, opts: { signal?: AbortSignal } = {}): Promise<{ stat: ContainerPathStat; content: ApiResponse }> {
    const res = await this.transport.stream({
      method: 'GET', path: `/containers/${enc(id)}/archive`, query: { path }, ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    try {
      return { stat: decodePathStat(res.headers['x-docker-container-path-stat']), content: res };
    } catch (err) {
      res.destroy();
      throw new Error(`unable to get resource stat from response: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  /** PUT /containers/{id}/archive: extracts a tar into a directory of the container. */
  async copyToContainer(
    id: string, path: string, content: Readable, opts: { copyUIDGID?: boolean; allowOverwriteDirWithFile?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    const query: Query = {
      path,
      noOverwriteDirNonDir: opts.allowOverwriteDirWithFile === true ? undefined : 'true',
      copyUIDGID: opts.copyUIDGID === true ? 'true' : undefined,
    };
    const res = await this.transport.stream({
      method: 'PUT', path: `/containers/${enc(id)}/archive`, query, body: content,
      headers: { 'Content-Type': 'application/x-tar' }, ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    res.resume();
  }

  // --- exec ---
  execCreate(container: string, body: ExecCreateBody): Promise<{ Id: string }> {
    return this.transport.json({ method: 'POST', path: `/containers/${enc(container)}/exec`, json: body });
  }
  execStartDetached(id: string, body: { Tty?: boolean; ConsoleSize?: [number, number] | null }): Promise<void> {
    return this.transport.call({ method: 'POST', path: `/exec/${enc(id)}/start`, json: { Detach: true, ...body } });
  }
  execStartAttached(id: string, body: { Tty?: boolean; ConsoleSize?: [number, number] | null }): Promise<Hijacked> {
    return this.transport.hijack({ method: 'POST', path: `/exec/${enc(id)}/start`, json: { Detach: false, ...body } });
  }
  execInspect(id: string): Promise<ExecInspect> {
    return this.transport.json({ method: 'GET', path: `/exec/${enc(id)}/json` });
  }
  execResize(id: string, height: number, width: number): Promise<void> {
    return this.transport.call({ method: 'POST', path: `/exec/${enc(id)}/resize`, query: { h: height, w: width } });
  }

  // --- images ---
  imageList(opts: { all?: boolean; digests?: boolean; filters?: Filters } = {}): Promise<ImageSummary[]> {
    const query: Query = { all: opts.all === true ? '1' : undefined, digests: opts.digests === true ? '1' : undefined, filters: filtersQuery(opts.filters) };
    return this.transport.json({ method: 'GET', path: '/images/json', query });
  }
  imageInspect(name: string): Promise<ImageInspect> {
    return this.transport.json({ method: 'GET', path: `/images/${name}/json` });
  }
  imageInspectRaw(name: string): Promise<unknown> {
    return this.transport.json({ method: 'GET', path: `/images/${name}/json` });
  }
  imageHistory(name: string): Promise<ImageHistoryItem[]> {
    return this.transport.json({ method: 'GET', path: `/images/${name}/history` });
  }
  imageRemove(name: string, opts: { force?: boolean; noprune?: boolean } = {}): Promise<ImageDeleteItem[]> {
    const query: Query = { force: opts.force === true ? '1' : undefined, noprune: opts.noprune === true ? '1' : undefined };
    return this.transport.json({ method: 'DELETE', path: `/images/${name}`, query });
  }
  imageTag(source: string, repo: string, tag?: string): Promise<void> {
    return this.transport.call({ method: 'POST', path: `/images/${source}/tag`, query: { repo, tag } });
  }
  /** POST /images/load with a tar body; answers the JSON-lines progress stream. */
  imageLoad(body: Readable, opts: { quiet?: boolean } = {}): Promise<ApiResponse> {
    return this.transport.stream({
      method: 'POST', path: '/images/load', query: { quiet: opts.quiet === true ? '1' : '0' },
      headers: { 'Content-Type': 'application/x-tar' }, body,
    });
  }
  /** POST /build with the context tar as body; answers the JSON message stream. */
  imageBuild(body: Readable, query: Query, headers: Record<string, string> = {}): Promise<ApiResponse> {
    return this.transport.stream({
      method: 'POST', path: '/build', query,
      headers: { 'Content-Type': 'application/x-tar', ...headers }, body,
    });
  }
  /** POST /images/create?fromSrc=… (import) with a tar body, or without body for a URL source. */
  imageImport(body: Readable | undefined, opts: ImportOptions): Promise<ApiResponse> {
    const query: Query = {
      fromSrc: opts.fromSrc, repo: opts.repo, tag: opts.tag, message: opts.message, platform: opts.platform,
      changes: opts.changes !== undefined && opts.changes.length > 0 ? opts.changes : undefined,
    };
    return this.transport.stream({
      method: 'POST', path: '/images/create', query,
      headers: { 'Content-Type': 'application/x-tar' },
      ...(body === undefined ? {} : { body }),
    });
  }
  /** POST /images/create?fromImage=… (pull); answers the JSON-lines progress stream. */
  imagePull(fromImage: string, tag: string | undefined, opts: { platform?: string; registryAuth?: string } = {}): Promise<ApiResponse> {
    return this.transport.stream({
      method: 'POST', path: '/images/create', query: { fromImage, tag, platform: opts.platform },
      headers: { 'X-Registry-Auth': opts.registryAuth ?? 'e30=' },
    });
  }
  /** POST /images/{name}/push; answers the JSON-lines progress stream. */
  imagePush(name: string, tag: string | undefined, registryAuth: string): Promise<ApiResponse> {
    return this.transport.stream({
      method: 'POST', path: `/images/${encodeURIComponent(name)}/push`, query: { tag },
      headers: { 'X-Registry-Auth': registryAuth },
    });
  }
  /** GET /system/df */
  systemDf(): Promise<DiskUsage> {
    return this.transport.json({ method: 'GET', path: '/system/df' });
  }
  /** POST /build/prune */
  buildCachePrune(opts: { all?: boolean; filters?: Filters } = {}): Promise<{ CachesDeleted?: string[] | null; SpaceReclaimed?: number }> {
    return this.transport.json({ method: 'POST', path: '/build/prune', query: { all: opts.all ? '1' : undefined, filters: filtersQuery(opts.filters) } });
  }
  /** POST /auth: checks credentials against a registry. */
  login(body: { username: string; password: string; serveraddress: string }): Promise<{ Status: string; IdentityToken?: string }> {
    return this.transport.json({ method: 'POST', path: '/auth', json: body });
  }
  /** GET /images/get?names=…: a tar stream of the images. */
  imageSave(names: string[]): Promise<ApiResponse> {
    return this.transport.stream({ method: 'GET', path: '/images/get', query: { names } });
  }
  imagesPrune(filters?: Filters): Promise<ImagesPruneResponse> {
    return this.transport.json({ method: 'POST', path: '/images/prune', query: { filters: filtersQuery(filters) } });
  }

  // --- volumes (moby api/swagger.yaml "Volume"); an empty name throws before any request ---
  volumeCreate(body: VolumeCreateBody): Promise<Volume> {
    return this.transport.json({ method: 'POST', path: '/volumes/create', json: body });
  }
  volumeList(filters?: Filters): Promise<VolumeListResponse> {
    return this.transport.json({ method: 'GET', path: '/volumes', query: { filters: filtersQuery(filters) } });
  }
  async volumeInspect(name: string): Promise<Volume> {
    return this.transport.json({ method: 'GET', path: `/volumes/${volumeId(name)}` });
  }
  async volumeRemove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    return this.transport.call({ method: 'DELETE', path: `/volumes/${volumeId(name)}`, query: { force: opts.force === true ? '1' : undefined } });
  }
  volumesPrune(filters?: Filters): Promise<VolumesPruneResponse> {
    return this.transport.json({ method: 'POST', path: '/volumes/prune', query: { filters: filtersQuery(filters) } });
  }
}

/** The Go client's trimID: surrounding space dropped; empty is an error before any request. */
function volumeId(name: string): string {
  const t = name.trim();
  if (t === '') throw new Error('invalid volume name or ID: value is empty');
  return enc(t);
}

/** The X-Docker-Container-Path-Stat header: base64 of the stat's JSON. */
function decodePathStat(header: string | string[] | undefined): ContainerPathStat {
  const value = Array.isArray(header) ? header[0] : header;
  try {
    return JSON.parse(Buffer.from(value ?? '', 'base64').toString('utf8')) as ContainerPathStat;
  } catch (err) {
    throw new Error(`unable to decode container path stat header: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function readJson<T>(res: Readable): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

/** Creates a client for `host` (from -H / DOCKER_HOST). */
export function createClient(options: ClientOptions = {}): Client {
  return new Client(options);
}
