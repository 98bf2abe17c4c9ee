import { API_VERSION, BERTH_VERSION, compareApiVersions } from '../../protocol/version.js';
import { describe, helpFlag, type CommandDef } from '../command.js';
import { Template } from '../format/template.js';
import type { SystemVersion } from '../../client/index.js';

function clientSection(apiVersion: string): string {
  const downgraded = compareApiVersions(apiVersion, API_VERSION) < 0 ? `${apiVersion} (downgraded from ${API_VERSION})` : API_VERSION;
  return [
    'Client:',
    ` Version:           ${BERTH_VERSION}`,
    ` API version:       ${downgraded}`,
    ` Node version:      ${process.version}`,
    ` OS/Arch:           ${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
    ` Context:           default`,
  ].join('\n');
}

/** Go's time.ANSIC in local time (`Thu May  7 21:09:36 2026`), as docker reformats BuildTime. */
function ansicDate(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}

function serverSection(v: SystemVersion): string {
  const lines = [`Server:${v.Platform?.Name !== undefined && v.Platform.Name !== '' ? ` ${v.Platform.Name}` : ''}`];
  const components = v.Components ?? [{ Name: 'Engine', Version: v.Version, Details: {} }];
  for (const c of components) {
    lines.push(` ${c.Name}:`);
    if (c.Name === 'Engine') {
      lines.push(`  Version:          ${v.Version}`);
      lines.push(`  API version:      ${v.ApiVersion} (minimum version ${v.MinAPIVersion ?? ''})`);
      lines.push(`  Go version:       ${v.GoVersion}`);
      lines.push(`  Git commit:       ${v.GitCommit}`);
      lines.push(`  Built:            ${ansicDate(v.BuildTime ?? '')}`);
      lines.push(`  OS/Arch:          ${v.Os}/${v.Arch}`);
      lines.push(`  Experimental:     ${v.Experimental === true ? 'true' : 'false'}`);
    } else {
      lines.push(`  Version:          ${c.Version}`);
      for (const [k, val] of Object.entries(c.Details ?? {})) lines.push(`  ${`${k}:`.padEnd(18)}${val}`);
    }
  }
  return lines.join('\n');
}

export const version: CommandDef = {
  name: 'version',
  usage: 'version [OPTIONS]',
  short: 'Show the berth version information',
  flags: [{ name: 'format', short: 'f', kind: 'string', help: 'Format output using a custom template' }, helpFlag],
  args: { none: true },
  async run(ctx, p) {
    const client = ctx.client();
    let server: SystemVersion | undefined;
    let serverErr: unknown;
    let api = API_VERSION;
    try {
      api = await client.transport.apiVersion();
      server = await client.version();
    } catch (err) {
      serverErr = err;
    }
    const format = p.str('format');
    if (format !== undefined && format !== '') {
      const arch = process.arch === 'x64' ? 'amd64' : process.arch;
      const client = { Version: BERTH_VERSION, ApiVersion: api, DefaultAPIVersion: API_VERSION, Os: process.platform, Arch: arch, Context: 'default' };
      if (format === 'json') ctx.out(`${JSON.stringify({ Client: client, Server: server ?? null })}\n`);
      else {
        // templates see Go field names (APIVersion), JSON has ApiVersion
        const goNames = <T extends { ApiVersion: string }>(o: T): T & { APIVersion: string } => ({ ...o, APIVersion: o.ApiVersion });
        const data = { Client: goNames(client), Server: server === undefined ? null : goNames(server) };
        ctx.out(`${new Template(format).execute(data)}\n`);
      }
    } else {
      ctx.out(`${clientSection(api)}\n`);
      if (server !== undefined) ctx.out(`\n${serverSection(server)}\n`);
    }
    if (serverErr !== undefined) {
      ctx.err(`${describe(serverErr)}\n`);
      return 1;
    }
    return 0;
  },
};
