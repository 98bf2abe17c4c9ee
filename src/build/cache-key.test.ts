import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { SourceHasher, stepCacheKey } from './cache-key.js';
import { applyMetadata, buildArgPrefix, instructionComment, nopCreatedBy, type ConfigState } from './exec-config.js';
import { beginStage } from './expand.js';
import { parseDockerfile } from './dockerfile.js';

const base = { parent: 'sha256:aa', text: '/bin/sh -c echo hi', args: new Map<string, string | undefined>() };

describe('build cache keys', () => {
  it('are stable and change with the parent, the text, the args and the content', () => {
    const k = stepCacheKey(base);
    assert.match(k, /^sha256:[0-9a-f]{64}$/);
    assert.equal(stepCacheKey({ ...base }), k);
    assert.notEqual(stepCacheKey({ ...base, parent: 'sha256:bb' }), k);
    assert.notEqual(stepCacheKey({ ...base, text: '/bin/sh -c echo ho' }), k);
    assert.notEqual(stepCacheKey({ ...base, args: new Map([['A', '1']]) }), k);
    assert.notEqual(stepCacheKey({ ...base, args: new Map([['A', '2']]) }), stepCacheKey({ ...base, args: new Map([['A', '1']]) }));
    assert.notEqual(stepCacheKey({ ...base, content: 'x' }), k);
    // arg order does not matter
    assert.equal(stepCacheKey({ ...base, args: new Map([['A', '1'], ['B', '2']]) }), stepCacheKey({ ...base, args: new Map([['B', '2'], ['A', '1']]) }));
  });

  it('hash sources by name, mode, owner and content, not time', () => {
    const h = (mode: number, data: string, uid = 0): string => {
      const s = new SourceHasher();
      s.source('a.txt');
      s.add({ path: '', type: 'file', mode, uid, gid: 0, data });
      return s.digest();
    };
    assert.equal(h(0o644, 'd1'), h(0o644, 'd1'));
    assert.notEqual(h(0o644, 'd1'), h(0o755, 'd1'));
    assert.notEqual(h(0o644, 'd1'), h(0o644, 'd2'));
    assert.notEqual(h(0o644, 'd1'), h(0o644, 'd1', 1000));
  });
});

describe('metadata instructions', () => {
  const df = parseDockerfile([
    'FROM busybox', 'ENV A=1 B="two words"', 'LABEL k=v', 'EXPOSE 80 53/udp', 'VOLUME /data', 'USER app', 'WORKDIR /srv',
    'WORKDIR sub', 'CMD echo hi', 'ENTRYPOINT ["/bin/tini"]', 'STOPSIGNAL SIGTERM', 'SHELL ["/bin/bash", "-c"]', 'ONBUILD RUN true',
  ].join('\n'));
  it('change the config as the classic builder does', () => {
    let scope = beginStage({ imageEnv: ['PATH=/bin'] });
    let st: ConfigState = { config: { Cmd: ['sh'] }, cmdSet: false, author: undefined };
    for (const i of df.stages[0]!.instructions) {
      if (i.kind === 'ENV') scope = { ...scope, imageEnv: [...scope.imageEnv, ...i.pairs.map((p) => `${p.key}=${p.value.replace(/"/g, '')}`)] };
      st = applyMetadata(st, i, scope);
    }
    const c = st.config as Record<string, unknown>;
    assert.deepEqual(c['Env'], ['PATH=/bin', 'A=1', 'B=two words']);
    assert.deepEqual(c['Labels'], { k: 'v' });
    assert.deepEqual(c['ExposedPorts'], { '80/tcp': {}, '53/udp': {} });
    assert.equal(c['WorkingDir'], '/srv/sub');
    assert.deepEqual(c['Cmd'], ['/bin/sh', '-c', 'echo hi'], 'a CMD set in the stage survives ENTRYPOINT');
    assert.deepEqual(c['Entrypoint'], ['/bin/tini']);
    assert.deepEqual(c['Shell'], ['/bin/bash', '-c']);
    assert.deepEqual(c['OnBuild'], ['RUN true']);
  });

  it('ENTRYPOINT clears an inherited CMD', () => {
    const d2 = parseDockerfile('FROM busybox\nENTRYPOINT ["/x"]\n');
    const st = applyMetadata({ config: { Cmd: ['sh'] }, cmdSet: false, author: undefined }, d2.stages[0]!.instructions[0]!, beginStage({ imageEnv: [] }));
    assert.equal(st.config.Cmd, null);
  });

  it('write Docker\'s history text', () => {
    assert.equal(nopCreatedBy(['/bin/sh', '-c'], 'ENV A=1'), '/bin/sh -c #(nop)  ENV A=1');
    assert.equal(instructionComment(df.stages[0]!.instructions[7]!), 'CMD ["echo hi"]');
    assert.deepEqual(buildArgPrefix(new Map([['B', '2'], ['A', '1'], ['C', undefined]])), ['|2', 'A=1', 'B=2']);
  });
});
