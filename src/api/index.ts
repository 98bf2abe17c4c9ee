import type { Server } from 'node:http';
import type { Logger } from '../core/index.js';
import type { Engine } from '../engine/index.js';
import type { CommitImageService } from '../image/index.js';
import type { ImageService, RegistryImageService } from '../image/types.js';
import type { CreateRegistryClient, RegistryOptions } from '../registry/index.js';
import { registryRoutes } from './routes/registry.js';
import { Router } from './router.js';
import { archiveRoutes } from './routes/archive.js';
import { changesRoutes } from './routes/changes.js';
import { containerRoutes } from './routes/containers.js';
import { execRoutes } from './routes/exec.js';
import { imageRoutes } from './routes/images.js';
import { networkRoutes } from './routes/networks.js';
import { volumeRoutes } from './routes/volumes.js';
import { eventRoutes } from './routes/events.js';
import { statsRoutes } from './routes/stats.js';
import { buildRoutes } from './routes/build.js';
import { Builder } from '../engine/index.js';
import { systemRoutes, type SystemInfo } from './routes/system.js';
import { createApiServer } from './server.js';

export type { SystemInfo } from './routes/system.js';
export { statusOf } from './errors.js';

/** Builds the Engine API server with every route berth serves. */
export function createApi(deps: {
  engine: Engine;
  images: ImageService & RegistryImageService & CommitImageService;
  registry: { create: CreateRegistryClient; options: RegistryOptions };
  system: SystemInfo;
  logger: Logger;
}): Server {
  const router = new Router();
  systemRoutes(router, deps.system);
  containerRoutes(router, deps.engine);
  archiveRoutes(router, deps.engine);
  statsRoutes(router, deps.engine);
  changesRoutes(router, deps.engine, deps.images);
  execRoutes(router, deps.engine);
  networkRoutes(router, deps.engine);
  volumeRoutes(router, deps.engine);
  eventRoutes(router, deps.engine);
  registryRoutes(router, { images: deps.images, engine: deps.engine, registry: deps.registry });
  imageRoutes(router, deps.images, deps.engine);
  buildRoutes(router, new Builder({ engine: deps.engine, images: deps.images, logger: deps.logger.child({ op: 'build' }), dir: Builder.dirOf(deps.engine) }));
  return createApiServer({ router, logger: deps.logger });
}
