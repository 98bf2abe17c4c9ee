/** pull, push, login, logout, save: the registry-facing commands. */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { helpFlag, StatusError, type CommandDef, type Ctx } from '../command.js';
import { domainOf, DOCKER_HUB_KEY, eraseCredentials, registryAuthHeader, registryKey, storeCredentials } from '../docker-config.js';
import { displayProgress } from '../io/progress.js';
import { parseImageRef, type ImageRef } from '../opts/reference.js';
import type { Parsed } from '../flags.js';

/**
 * docker's rule for pull and push: a tag (or digest) and --all-tags exclude each other, and a
 * name without either means `latest`, which is said unless --quiet.
 */
function tagPolicy(ctx: Ctx, p: Parsed, name: string): { ref: ImageRef; allTags: boolean } {
  const allTags = p.bool('all-tags');
  const hasTag = /:[^/]+$/.test(name.split('@')[0]!) || name.includes('@');
  if (allTags && hasTag) throw new StatusError(1, 'tag can\'t be used with --all-tags/-a');
  if (!allTags && !hasTag && !p.bool('quiet')) ctx.out('Using default tag: latest\n');
  return { ref: parseImageRef(name), allTags };
}

export const pull: CommandDef = {
  name: 'pull',
  usage: 'pull [OPTIONS] NAME[:TAG|@DIGEST]',
  short: 'Download an image from a registry',
  flags: [
    { name: 'all-tags', short: 'a', kind: 'bool', help: 'Download all tagged images in the repository' },
    { name: 'quiet', short: 'q', kind: 'bool', help: 'Suppress verbose output' },
    { name: 'platform', kind: 'string', help: 'Set platform if server is multi-platform capable' },
    { name: 'disable-content-trust', kind: 'bool', defaultTrue: true, help: 'Skip image verification' },
    helpFlag,
  ],
  args: { exact: 1 },
  async run(ctx, p, args) {
    const { ref, allTags } = tagPolicy(ctx, p, args[0]!);
    const platform = p.str('platform');
    const res = await ctx.client().imagePull(ref.repository, allTags ? undefined : (ref.digest ?? ref.tag), {
      registryAuth: registryAuthHeader(ctx.env, domainOf(ref.repository)),
      ...(platform === undefined ? {} : { platform }),
    });
    await displayProgress(res, p.bool('quiet') ? null : ctx.stdout, ctx.stdout.isTTY === true);
    ctx.out(`${allTags ? ref.repository : ref.digest ? `${ref.repository}@${ref.digest}` : `${ref.repository}:${ref.tag}`}\n`);
    return 0;
  },
};

export const push: CommandDef = {
  name: 'push',
  usage: 'push [OPTIONS] NAME[:TAG]',
  short: 'Upload an image to a registry',
  flags: [
    { name: 'all-tags', short: 'a', kind: 'bool', help: 'Push all tags of an image to the repository' },
    { name: 'quiet', short: 'q', kind: 'bool', help: 'Suppress verbose output' },
    { name: 'platform', kind: 'string', help: 'Push a platform-specific manifest' },
    { name: 'disable-content-trust', kind: 'bool', defaultTrue: true, help: 'Skip image signing' },
    helpFlag,
  ],
  args: { exact: 1 },
  async run(ctx, p, args) {
    const { ref, allTags } = tagPolicy(ctx, p, args[0]!);
    // the familiar name without its tag (a registry port's ':' stays)
    const repo = ref.tag !== undefined && ref.familiar.endsWith(`:${ref.tag}`) ? ref.familiar.slice(0, -(ref.tag.length + 1)) : ref.familiar;
    const res = await ctx.client().imagePush(repo, allTags ? undefined : ref.tag, registryAuthHeader(ctx.env, domainOf(ref.repository)));
    await displayProgress(res, p.bool('quiet') ? null : ctx.stdout, ctx.stdout.isTTY === true);
    if (p.bool('quiet')) ctx.out(`${ref.familiar}\n`);
    return 0;
  },
};

/** Reads one line from stdin (with echo off when `secret` and stdin is a terminal). */
async function readLine(ctx: Ctx, prompt: string, secret: boolean): Promise<string> {
  ctx.err(prompt);
  const stdin = ctx.stdin;
  const tty = stdin.isTTY === true && secret;
  if (tty) stdin.setRawMode(true);
  try {
    let line = '';
    for await (const chunk of stdin) {
      const text = (chunk as Buffer).toString('utf8');
      const nl = text.search(/[\r\n]/);
      if (tty && text.includes('\u0003')) throw new StatusError(130);
      if (nl >= 0) {
        line += text.slice(0, nl);
        break;
      }
      line += text;
    }
    return line;
  } finally {
    if (tty) {
      stdin.setRawMode(false);
      ctx.err('\n');
    }
    stdin.pause();
  }
}

async function readAll(stdin: NodeJS.ReadStream): Promise<string> {
  let s = '';
  for await (const c of stdin) s += (c as Buffer).toString('utf8');
  return s;
}

export const login: CommandDef = {
  name: 'login',
  usage: 'login [OPTIONS] [SERVER]',
  short: 'Authenticate to a registry',
  flags: [
    { name: 'username', short: 'u', kind: 'string', help: 'Username' },
    { name: 'password', short: 'p', kind: 'string', help: 'Password' },
    { name: 'password-stdin', kind: 'bool', help: 'Take the password from stdin' },
    helpFlag,
  ],
  args: { max: 1 },
  async run(ctx, p, args) {
    const server = args[0] ?? DOCKER_HUB_KEY;
    const domain = server === DOCKER_HUB_KEY ? 'docker.io' : server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    let password = p.str('password');
    if (p.bool('password-stdin')) {
      if (password !== undefined) throw new StatusError(1, '--password and --password-stdin are mutually exclusive');
      if (p.str('username') === undefined) throw new StatusError(1, 'Must provide --username with --password-stdin');
      password = (await readAll(ctx.stdin)).replace(/\r?\n$/, '');
    } else if (password !== undefined) {
      ctx.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    const username = p.str('username') ?? (await readLine(ctx, 'Username: ', false)).trim();
    if (username === '') throw new StatusError(1, 'Error: Non-null Username Required');
    password ??= await readLine(ctx, 'Password: ', true);
    if (password === '') throw new StatusError(1, 'Error: Password Required');
    const r = await ctx.client().login({ username, password, serveraddress: registryKey(domain) });
    const stored = storeCredentials(ctx.env, domain, username, password);
    if (!stored.helper) {
      ctx.err(`WARNING! Your credentials are stored unencrypted in '${stored.path}'.\nConfigure a credential helper to remove this warning.\n`);
    }
    ctx.out(`${r.Status || 'Login Succeeded'}\n`);
    return 0;
  },
};

export const logout: CommandDef = {
  name: 'logout',
  usage: 'logout [SERVER]',
  short: 'Log out from a registry',
  flags: [helpFlag],
  args: { max: 1 },
  async run(ctx, _p, args) {
    const server = args[0] ?? DOCKER_HUB_KEY;
    const domain = server === DOCKER_HUB_KEY ? 'docker.io' : server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    const key = registryKey(domain);
    if (!eraseCredentials(ctx.env, domain)) {
      ctx.out(`Not logged in to ${key}\n`);
      return 0;
    }
    ctx.out(`Removing login credentials for ${key}\n`);
    return 0;
  },
};

export const save: CommandDef = {
  name: 'save',
  usage: 'save [OPTIONS] IMAGE [IMAGE...]',
  short: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  flags: [
    { name: 'output', short: 'o', kind: 'string', help: 'Write to a file, instead of STDOUT' },
    { name: 'platform', kind: 'list', help: 'Save only the given platform variant' },
    helpFlag,
  ],
  args: { min: 1 },
  async run(ctx, p, args) {
    const output = p.str('output');
    if (output === undefined && ctx.stdout.isTTY === true) {
      throw new StatusError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const res = await ctx.client().imageSave(args);
    await pipeline(res, output === undefined ? ctx.stdout : createWriteStream(output));
    return 0;
  },
};

