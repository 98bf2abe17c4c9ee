import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/index.js';
import {
  DockerfileError, ParseError, advanceScope, beginStage, expandInstruction, exposedPorts, parseDockerfile, planBuild,
  resolveRunCommand, resolveRunMounts, resolveWorkdir, runEnvironment, commandArgv, type Instruction, type StageScope,
} from './index.js';

const DOCKERFILE = `# syntax=docker/dockerfile:1
# check=error=true

ARG NODE=20
ARG APP_DIR=/srv/app

FROM --platform=$BUILDPLATFORM node:\${NODE}-alpine AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \\
    npm ci --omit=dev

FROM deps AS build
ARG APP_DIR
COPY . .
RUN npm run build

FROM node:\${NODE}-alpine
ARG APP_DIR
ENV NODE_ENV=production \\
    PORT=8080
WORKDIR $APP_DIR
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build --chown=node:node /src/dist ./dist
COPY <<EOF ./config.json
{"port": \${PORT}}
EOF
EXPOSE $PORT
USER node
HEALTHCHECK --interval=30s CMD ["node", "dist/health.js"]
CMD ["node", "dist/server.js"]
`;

test('end to end: parse, plan, and walk the target stage as an executor would', () => {
  const df = parseDockerfile(DOCKERFILE);
  assert.deepEqual(df.directives, { escape: '\\', syntax: 'docker/dockerfile:1', check: 'error=true' });
  const buildArgs = new Map([['NODE', '22']]);
  const plan = planBuild(df, { buildArgs, platform: { build: { os: 'linux', architecture: 'amd64' } } });
  assert.deepEqual(plan.order, [0, 1, 2]);
  assert.deepEqual(plan.waves, [[0], [1], [2]]);
  assert.deepEqual(plan.images, ['node:22-alpine']);
  assert.equal(plan.stages[0]!.platform, 'linux/amd64');
  assert.deepEqual(plan.stages[1]!.base, { kind: 'stage', stage: 0 });

  const final = plan.stages[plan.target]!;
  const ctx = { buildArgs, globals: plan.globalArgs, escape: df.escape };
  let scope: StageScope = beginStage({ imageEnv: ['PATH=/usr/local/bin:/usr/bin:/bin'] });
  let workdir = '/';
  const seen: Instruction[] = [];
  for (const instr of final.instructions) {
    const e = expandInstruction(instr, scope.vars, ctx);
    if (e.kind === 'WORKDIR') workdir = resolveWorkdir(workdir, e.path);
    seen.push(e);
    scope = advanceScope(scope, [instr], ctx);
  }
  assert.equal(workdir, '/srv/app');
  const copy = seen.find((i) => i.kind === 'COPY' && i.inline.length > 0);
  assert.ok(copy?.kind === 'COPY');
  assert.deepEqual(copy.inline, [{ path: 'EOF', data: '{"port": 8080}\n', expand: true }]);
  const expose = final.instructions.find((i) => i.kind === 'EXPOSE');
  assert.ok(expose?.kind === 'EXPOSE');
  assert.deepEqual(exposedPorts(expose, new Map([['PORT', '8080']])), ['8080/tcp']);
  assert.deepEqual(scope.imageEnv, ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production', 'PORT=8080']);
  assert.equal(scope.vars.get('APP_DIR'), '/srv/app');
  assert.ok(runEnvironment(scope, buildArgs).includes('APP_DIR=/srv/app'));

  const run = df.stages[0]!.instructions.find((i) => i.kind === 'RUN');
  assert.ok(run?.kind === 'RUN');
  assert.deepEqual(resolveRunMounts(run, new Map()).map((m) => [m.type, m.target]), [['cache', '/root/.npm']]);
  assert.deepEqual(commandArgv(resolveRunCommand(run).command), ['/bin/sh', '-c', 'npm ci --omit=dev']);
});

test('errors are EngineErrors of kind invalid-argument with a location', () => {
  for (const [text, message] of [
    ['FROM a\nRUNN x', 'dockerfile parse error on line 2: unknown instruction: RUNN (did you mean RUN?)'],
    ['FROM a b', 'dockerfile parse error on line 1: FROM requires either one or three arguments'],
    ['', 'the Dockerfile (Dockerfile) cannot be empty'],
  ] as const) {
    assert.throws(() => parseDockerfile(text), (e: unknown) => {
      assert.ok(e instanceof ParseError && e instanceof DockerfileError && e instanceof EngineError);
      assert.equal(e.kind, 'invalid-argument');
      assert.equal(e.message, message);
      return true;
    });
  }
});

/** A small deterministic generator of Dockerfile-like junk. */
function* junk(seed: number, count: number): Generator<string> {
  const pieces = ['FROM', 'RUN', 'COPY', 'ENV', 'ARG', 'ONBUILD', 'HEALTHCHECK', 'CMD', ' ', ' ', '\n', '\\\n', '`', '#', '"', "'", '[', ']', '"a"', ',',
    '<<', 'EOF', '<<-', '\t', '$', '{', '}', ':-', '=', '--', '--from=', '--mount=', 'type=cache', 'a', 'b', '/x', '# escape=`\n', '\r\n', 'é', '😀'];
  let x = seed;
  const rnd = (n: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  for (let i = 0; i < count; i++) {
    let s = '';
    const len = 1 + rnd(40);
    for (let j = 0; j < len; j++) s += pieces[rnd(pieces.length)];
    yield s;
  }
}

test('arbitrary input either parses or fails with a located ParseError', () => {
  let parsed = 0;
  for (const text of junk(42, 3000)) {
    try {
      const df = parseDockerfile(text);
      parsed++;
      try {
        planBuild(df);
      } catch (e) {
        assert.ok(e instanceof EngineError, `${JSON.stringify(text)}: ${String(e)}`);
      }
    } catch (e) {
      assert.ok(e instanceof ParseError, `${JSON.stringify(text)}: ${String(e)}`);
    }
  }
  assert.ok(parsed > 0);
});
