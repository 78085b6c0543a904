import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usesContainerdStore } from './inventory';

test('the containerd image store is told apart from a graph driver by docker info', () => {
  // Engine 20.10 on overlay2 (this machine's `docker info --format '{{json .DriverStatus}}'`).
  const overlay2 = [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true'], ['Native Overlay Diff', 'true'], ['userxattr', 'false']];
  assert.equal(usesContainerdStore({ DriverStatus: overlay2 }), false);
  // Engine 24+ with the containerd snapshotter: `Storage Driver: overlayfs`, `driver-type: …`.
  assert.equal(usesContainerdStore({ DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] }), true);
  assert.equal(usesContainerdStore({ DriverStatus: null }), false);
  assert.equal(usesContainerdStore({}), false);
});
