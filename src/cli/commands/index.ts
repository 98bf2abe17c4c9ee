import type { CommandDef } from '../command.js';
import { attach } from './attach.js';
import { build } from './build.js';
import { commit } from './commit.js';
import { cp } from './cp.js';
import { create } from './create.js';
import { diff } from './diff.js';
import { events } from './events.js';
import { exec } from './exec.js';
import { exportCmd } from './export.js';
import { history } from './history.js';
import { images } from './images.js';
import { importCmd, load, rmi, tag } from './image-ops.js';
import { info } from './info.js';
import { containerInspect, imageInspect, inspect } from './inspect.js';
import { kill, rename, restart, rm, stop, wait } from './lifecycle.js';
import { logs } from './logs.js';
import { networkConnect, networkCreate, networkDisconnect, networkInspect, networkPrune, networkRm } from './network.js';
import { networkLs } from './network-ls.js';
import { pause, unpause } from './pause.js';
import { port } from './port.js';
import { containerPrune, imagePrune } from './prune.js';
import { ps } from './ps.js';
import { login, logout, pull, push, save } from './registry.js';
import { run } from './run.js';
import { start } from './start.js';
import { stats } from './stats.js';
import { systemDf } from './system.js';
import { builderPrune, systemPrune } from './system-prune.js';
import { top } from './top.js';
import { update } from './update.js';
import { version } from './version.js';
import { volumeCreate, volumeInspect, volumePrune, volumeRm } from './volume.js';
import { volumeLs } from './volume-ls.js';

/** Every command; names with a space exist only under their management group. */
export const COMMANDS: CommandDef[] = [
  attach, build, commit, create, diff, exec, exportCmd, history, images, importCmd, info, inspect, kill, load, logs, port, ps, rename, restart, rm, rmi,
  run, start, stats, stop, tag, top, version, wait, containerInspect, imageInspect, containerPrune, imagePrune,
  pull, push, login, logout, save, systemDf, systemPrune, builderPrune,
  cp,
  events, pause, unpause, update,
  networkConnect, networkCreate, networkDisconnect, networkInspect, networkLs, networkPrune, networkRm,
  volumeCreate, volumeInspect, volumeLs, volumePrune, volumeRm,
];
