import * as assert from 'node:assert/strict';
import { test } from 'node:test';

import { TrailingThrottle } from '../../src/panel/throttle';
import { ManualTimers } from './helpers/fakePanelEngine';

test('throttle runs once at the end of the window', () => {
  const timers = new ManualTimers();
  let runs = 0;
  const throttle = new TrailingThrottle(300, () => runs++, timers);

  throttle.schedule();
  timers.advance(100);
  throttle.schedule();
  timers.advance(199);
  assert.equal(runs, 0);

  timers.advance(1);
  assert.equal(runs, 1);
});

test('throttle spaces runs by the interval', () => {
  const timers = new ManualTimers();
  const runTimes: number[] = [];
  let now = 0;
  const throttle = new TrailingThrottle(300, () => runTimes.push(now), timers);

  for (now = 0; now < 2_000; now += 10) {
    throttle.schedule();
    timers.advance(10);
  }

  for (let i = 1; i < runTimes.length; i++) {
    assert.ok(runTimes[i] - runTimes[i - 1] >= 300, `runs at ${runTimes[i - 1]} and ${runTimes[i]} ms`);
  }
  assert.equal(runTimes.length, 6);
});

test('throttle cancel drops the pending run', () => {
  const timers = new ManualTimers();
  let runs = 0;
  const throttle = new TrailingThrottle(300, () => runs++, timers);

  throttle.schedule();
  assert.equal(throttle.isPending, true);
  throttle.cancel();
  timers.advance(1_000);

  assert.equal(runs, 0);
  assert.equal(throttle.isPending, false);
});
