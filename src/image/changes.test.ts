import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../core/index.js';
import { applyChanges } from './changes.js';

describe('applyChanges (docker import -c)', () => {
  it('applies CMD and ENTRYPOINT in exec and shell form', () => {
    assert.deepEqual(applyChanges({}, ['CMD ["sh", "-c", "echo hi"]']).Cmd, ['sh', '-c', 'echo hi']);
    assert.deepEqual(applyChanges({}, ['CMD echo hi']).Cmd, ['/bin/sh', '-c', 'echo hi']);
    const c = applyChanges({}, ['ENTRYPOINT ["/bin/app"]']);
    assert.deepEqual(c.Entrypoint, ['/bin/app']);
    assert.equal(c.Cmd, null);
    const d = applyChanges({}, ['CMD ["x"]', 'entrypoint /bin/app --flag']);
    assert.deepEqual(d.Entrypoint, ['/bin/sh', '-c', '/bin/app --flag']);
    assert.deepEqual(d.Cmd, ['x']);
  });

  it('applies ENV in both forms, replacing existing keys', () => {
    const c = applyChanges({ Env: ['PATH=/bin', 'A=1'] }, ['ENV A=2 B="two words"', 'ENV C legacy value']);
    assert.deepEqual(c.Env, ['PATH=/bin', 'A=2', 'B=two words', 'C=legacy value']);
  });

  it('applies EXPOSE, LABEL, USER, VOLUME, WORKDIR, ONBUILD, STOPSIGNAL, HEALTHCHECK', () => {
    const c = applyChanges({}, [
      'EXPOSE 80 53/udp 8000-8001',
      'LABEL a=b "c d"=e',
      'USER berth:staff',
      'VOLUME ["/data", "/logs"]',
      'VOLUME /cache',
      'WORKDIR /srv',
      'WORKDIR app',
      'ONBUILD RUN echo built',
      'STOPSIGNAL SIGTERM',
      'HEALTHCHECK --interval=5s --retries=3 CMD wget -q localhost',
    ]);
    assert.deepEqual(c.ExposedPorts, { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} });
    assert.deepEqual(c.Labels, { a: 'b', 'c d': 'e' });
    assert.equal(c.User, 'berth:staff');
    assert.deepEqual(c.Volumes, { '/data': {}, '/logs': {}, '/cache': {} });
    assert.equal(c.WorkingDir, '/srv/app');
    assert.deepEqual(c.OnBuild, ['RUN echo built']);
    assert.equal(c.StopSignal, 'SIGTERM');
    assert.deepEqual(c.Healthcheck, { Interval: 5e9, Retries: 3, Test: ['CMD-SHELL', 'wget -q localhost'] });
  });

  it('does not modify its input', () => {
    const base = { Env: ['A=1'] };
    applyChanges(base, ['ENV A=2']);
    assert.deepEqual(base.Env, ['A=1']);
  });

  it('refuses instructions that are not change commands, with Docker wording', () => {
    assert.throws(() => applyChanges({}, ['FOO bar']), (e: Error) => isKind(e, 'invalid-argument') && e.message === 'foo is not a valid change command');
    assert.throws(() => applyChanges({}, ['RUN echo']), { message: 'run is not a valid change command' });
  });

  it('refuses bad arguments', () => {
    for (const bad of ['EXPOSE abc', 'STOPSIGNAL SIGNOPE', 'ENV', 'ONBUILD ONBUILD CMD x', 'LABEL =x', 'HEALTHCHECK FOO']) {
      assert.throws(() => applyChanges({}, [bad]), (e: Error) => isKind(e, 'invalid-argument'), bad);
    }
  });
});
