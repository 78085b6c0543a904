import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageStoreFromInfo } from './inventory';

test('the containerd image store is told apart from a graph driver by docker info', () => {
  // Engine 20.10 on overlay2 (this machine's `docker info --format '{{json .DriverStatus}}'`).
  const overlay2 = [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true'], ['Native Overlay Diff', 'true'], ['userxattr', 'false']];
  assert.equal(imageStoreFromInfo({ DriverStatus: overlay2 }), 'classic');
  // Engine 26.1.5 with the containerd snapshotter (seen here): `Storage Driver: overlayfs`, `driver-type: …`.
  assert.equal(imageStoreFromInfo({ DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] }), 'containerd');
  assert.equal(imageStoreFromInfo({ DriverStatus: null }), 'classic');
  assert.equal(imageStoreFromInfo({}), 'classic');
});
