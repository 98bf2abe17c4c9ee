import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { OrderedLanes } from './build-output.js';

describe('OrderedLanes', () => {
  it('streams the head lane, buffers later lanes and flushes them in order as earlier ones finish', () => {
    const seen: string[] = [];
    const lanes = new OrderedLanes<string>(3, (m) => seen.push(m));
    const [a, b, c] = [lanes.lane(0), lanes.lane(1), lanes.lane(2)];
    c('c1');
    a('a1');
    b('b1');
    assert.deepEqual(seen, ['a1']);
    lanes.finish(2);
    c('late'); // never happens in a build, but stays ordered
    assert.deepEqual(seen, ['a1']);
    lanes.finish(0);
    assert.deepEqual(seen, ['a1', 'b1']);
    b('b2');
    assert.deepEqual(seen, ['a1', 'b1', 'b2']);
    lanes.finish(1);
    assert.deepEqual(seen, ['a1', 'b1', 'b2', 'c1', 'late']);
  });
});
