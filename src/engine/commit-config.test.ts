import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../core/index.js';
import type { ContainerConfig } from '../protocol/index.js';
import { commitConfig, mergeConfig } from './commit-config.js';

const container: ContainerConfig = {
  Hostname: 'abc123', User: '', Env: ['PATH=/bin', 'A=1'], Cmd: ['sh', '-c', 'echo hi'], Entrypoint: null,
  Image: 'busybox', WorkingDir: '/srv', Labels: { keep: 'yes' }, ExposedPorts: { '80/tcp': {} }, Volumes: { '/data': {} },
  StopSignal: 'SIGINT', Healthcheck: { Test: ['CMD', 'true'], Interval: 5 },
};

describe('commit config (Moby CreateImageFromContainer)', () => {
  it('is the container\'s config when nothing is sent, with Labels always a map', () => {
    const c = commitConfig({ ...container, Labels: null }, undefined, []);
    assert.deepEqual(c, { ...container, Labels: {} });
  });

  it('applies changes over the container\'s config', () => {
    const c = commitConfig(container, null, ['CMD ["cat","/hello"]', 'ENV A=2 B=3', 'LABEL x=y', 'EXPOSE 8080', 'USER nobody', 'WORKDIR sub']);
    assert.deepEqual(c.Cmd, ['cat', '/hello']);
    assert.deepEqual(c.Env, ['PATH=/bin', 'A=2', 'B=3']);
    assert.deepEqual(c.Labels, { keep: 'yes', x: 'y' });
    assert.deepEqual(Object.keys(c.ExposedPorts ?? {}).sort(), ['80/tcp', '8080/tcp']);
    assert.equal(c.User, 'nobody');
    assert.equal(c.WorkingDir, '/srv/sub');
    assert.equal(c.Hostname, 'abc123');
    assert.deepEqual(container.Cmd, ['sh', '-c', 'echo hi'], 'the container config is not changed');
  });

  it('an ENTRYPOINT change drops the container\'s Cmd, as in a Dockerfile', () => {
    const c = commitConfig(container, null, ['ENTRYPOINT ["/bin/app"]']);
    assert.deepEqual(c.Entrypoint, ['/bin/app']);
    assert.equal(c.Cmd, null);
  });

  it('completes a sent config from the container\'s (merge)', () => {
    const c = mergeConfig({ Env: ['A=9', 'C=4'], Labels: { mine: '1' }, Volumes: { '/more': {} }, Healthcheck: { Retries: 3 } }, container);
    assert.deepEqual(c.Env, ['A=9', 'C=4', 'PATH=/bin']);
    assert.deepEqual(c.Labels, { keep: 'yes', mine: '1' });
    assert.deepEqual(c.Cmd, ['sh', '-c', 'echo hi']);
    assert.equal(c.Entrypoint, null);
    assert.equal(c.WorkingDir, '/srv');
    assert.deepEqual(Object.keys(c.Volumes ?? {}).sort(), ['/data', '/more']);
    assert.deepEqual(c.ExposedPorts, { '80/tcp': {} });
    assert.equal(c.StopSignal, 'SIGINT');
    assert.deepEqual(c.Healthcheck, { Test: ['CMD', 'true'], Interval: 5, Retries: 3 });
  });

  it('keeps a sent Entrypoint and its Cmd', () => {
    const c = mergeConfig({ Entrypoint: ['/e'], Cmd: null }, container);
    assert.deepEqual([c.Entrypoint, c.Cmd], [['/e'], null]);
  });

  it('refuses a bad change in Docker\'s words', () => {
    assert.throws(() => commitConfig(container, null, ['FROM busybox']), (e: Error) => isKind(e, 'invalid-argument') && e.message === 'from is not a valid change command');
  });
});
