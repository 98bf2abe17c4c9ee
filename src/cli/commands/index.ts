import type { CommandDef } from '../command.js';
import { attach } from './attach.js';
import { create } from './create.js';
import { exec } from './exec.js';
import { history } from './history.js';
import { images } from './images.js';
import { importCmd, load, rmi, tag } from './image-ops.js';
import { info } from './info.js';
import { containerInspect, imageInspect, inspect } from './inspect.js';
import { kill, rename, restart, rm, stop, wait } from './lifecycle.js';
import { logs } from './logs.js';
import { networkConnect, networkCreate, networkDisconnect, networkInspect, networkPrune, networkRm } from './network.js';
import { networkLs } from './network-ls.js';
import { port } from './port.js';
import { containerPrune, imagePrune } from './prune.js';
import { ps } from './ps.js';
import { login, logout, pull, push, save } from './registry.js';
import { run } from './run.js';
import { start } from './start.js';
import { systemDf } from './system.js';
import { top } from './top.js';
import { version } from './version.js';

/** Every command; names with a space exist only under their management group. */
export const COMMANDS: CommandDef[] = [
  attach, create, exec, history, images, importCmd, info, inspect, kill, load, logs, port, ps, rename, restart, rm, rmi,
  run, start, stop, tag, top, version, wait, containerInspect, imageInspect, containerPrune, imagePrune,
  pull, push, login, logout, save, systemDf,
  networkConnect, networkCreate, networkDisconnect, networkInspect, networkLs, networkPrune, networkRm,
];
