import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageStoreFromInfo } from '../docker/image-store';
import { layerSizesFromHistory } from './inventory';

test('the containerd image store is told apart from a graph driver by docker info', () => {
  // Engine 20.10 on overlay2 (this machine's `docker info --format '{{json .DriverStatus}}'`).
  const overlay2 = [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true'], ['Native Overlay Diff', 'true'], ['userxattr', 'false']];
  assert.equal(imageStoreFromInfo({ DriverStatus: overlay2 }), 'classic');
  // Engine 26.1.5 with the containerd snapshotter (seen here): `Storage Driver: overlayfs`, `driver-type: …`.
  assert.equal(imageStoreFromInfo({ DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] }), 'containerd');
  assert.equal(imageStoreFromInfo({ DriverStatus: null }), 'classic');
  assert.equal(imageStoreFromInfo({}), 'classic');
});

test('layer sizes come from the history, a 0 B layer included, metadata entries left out', () => {
  // Engine 26 with BuildKit, the busybox stand-in and two images on it (`docker history`, newest first).
  const buildkit = [
    { Size: 200_000, CreatedBy: 'COPY extra.bin /extra.bin # buildkit' },
    { Size: 300_000, CreatedBy: 'COPY base.bin /base.bin # buildkit' },
    { Size: 0, CreatedBy: 'CMD ["sh"]' },
    { Size: 0, CreatedBy: 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    { Size: 0, CreatedBy: 'RUN /bin/busybox --install -s /bin # buildkit' },
    { Size: 1_980_000, CreatedBy: 'COPY busybox /bin/busybox # buildkit' },
  ];
  assert.deepEqual(layerSizesFromHistory(buildkit, 4), [1_980_000, 0, 300_000, 200_000]);
  // The legacy builder marks metadata steps #(nop).
  const legacy = [
    { Size: 0, CreatedBy: '/bin/sh -c #(nop)  LABEL a=b' },
    { Size: 205_000, CreatedBy: '/bin/sh -c #(nop) COPY file:abc in /extra.bin ' },
    { Size: 0, CreatedBy: '/bin/sh -c #(nop)  CMD ["sh"]' },
    { Size: 1_980_000, CreatedBy: '/bin/sh -c #(nop) ADD file:def in / ' },
  ];
  assert.deepEqual(layerSizesFromHistory(legacy, 2), [1_980_000, 205_000]);
  // A count that does not add up is not guessed at.
  assert.deepEqual(layerSizesFromHistory(legacy, 3), [undefined, undefined, undefined]);
});
