import type { Server } from 'node:http';
import type { Logger } from '../core/index.js';
import type { Engine } from '../engine/index.js';
import type { ImageService, RegistryImageService } from '../image/types.js';
import type { CreateRegistryClient, RegistryOptions } from '../registry/index.js';
import { registryRoutes } from './routes/registry.js';
import { Router } from './router.js';
import { containerRoutes } from './routes/containers.js';
import { execRoutes } from './routes/exec.js';
import { imageRoutes } from './routes/images.js';
import { networkRoutes } from './routes/networks.js';
import { volumeRoutes } from './routes/volumes.js';
import { systemRoutes, type SystemInfo } from './routes/system.js';
import { createApiServer } from './server.js';

export type { SystemInfo } from './routes/system.js';
export { statusOf } from './errors.js';

/** Builds the Engine API server with every route berth serves. */
export function createApi(deps: {
  engine: Engine;
  images: ImageService & RegistryImageService;
  registry: { create: CreateRegistryClient; options: RegistryOptions };
  system: SystemInfo;
  logger: Logger;
}): Server {
  const router = new Router();
  systemRoutes(router, deps.system);
  containerRoutes(router, deps.engine);
  execRoutes(router, deps.engine);
  networkRoutes(router, deps.engine);
  volumeRoutes(router, deps.engine);
  registryRoutes(router, { images: deps.images, engine: deps.engine, registry: deps.registry });
  imageRoutes(router, deps.images, deps.engine);
  return createApiServer({ router, logger: deps.logger });
}
