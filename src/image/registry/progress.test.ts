import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { humanSize, progressBar } from './progress.js';

describe('progress rendering (Docker JSONProgress)', () => {
  it('formats sizes as go-units HumanSize', () => {
    assert.equal(humanSize(527), '527B');
    assert.equal(humanSize(1200), '1.2kB');
    assert.equal(humanSize(4_500_000), '4.5MB');
    assert.equal(humanSize(2_215_146), '2.215MB');
  });

  it('draws a 50-column bar with current/total', () => {
    assert.equal(progressBar(0, 0), '');
    assert.equal(progressBar(1_200_000, 4_500_000), `[=============>${' '.repeat(37)}]    1.2MB/4.5MB`);
    assert.equal(progressBar(10, 10), `[${'='.repeat(50)}>] ${'10B'.padStart(8)}/10B`);
    assert.equal(progressBar(20, 10), `[${'='.repeat(50)}>] ${'20B'.padStart(8)}`);
  });
});
