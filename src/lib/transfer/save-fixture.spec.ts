import { test } from 'node:test';
import assert from 'node:assert/strict';

/** Captured from Engine 20.10.24: `docker save` of a three-layer image (base: COPY busybox, RUN --install; derived: RUN). */
export const ENGINE_20_10_SAVE = {
  "diffIds": [
    "sha256:9b79e1530aecafbab2e46649eb21744bdd8eb642f40373c446384e259f1287e5",
    "sha256:fc912a7f993ed9a2d9142ddb7b67405eede755e959033653fcb1805902b194f2",
    "sha256:dae709703de8582ebf46530b68edfb1438f29f26aae26fdea2f207476faa1e55"
  ],
  "folders": [
    "c821aa9d7d75cc1f871ad07bc9a3ae09024f8a6c2c5d7ca544abef9f450c427d",
    "aa6e7ac28962f6429fdbebc35a9a08973c36be16b76a57ac4ccba647c39e4770",
    "ddd5c0006eaf6dd30e68c937d387a9c4637cbe1edb156885294597f35097fa58"
  ],
  "jsons": [
    "{\"id\":\"c821aa9d7d75cc1f871ad07bc9a3ae09024f8a6c2c5d7ca544abef9f450c427d\",\"created\":\"1970-01-01T00:00:00Z\",\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"os\":\"linux\"}",
    "{\"id\":\"aa6e7ac28962f6429fdbebc35a9a08973c36be16b76a57ac4ccba647c39e4770\",\"parent\":\"c821aa9d7d75cc1f871ad07bc9a3ae09024f8a6c2c5d7ca544abef9f450c427d\",\"created\":\"1970-01-01T00:00:00Z\",\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"os\":\"linux\"}",
    "{\"id\":\"ddd5c0006eaf6dd30e68c937d387a9c4637cbe1edb156885294597f35097fa58\",\"parent\":\"aa6e7ac28962f6429fdbebc35a9a08973c36be16b76a57ac4ccba647c39e4770\",\"created\":\"2026-11-24T02:56:10.265622069Z\",\"container\":\"8c57f459b89e82063705e2d39a73b249bedd6208822d34f2acab38772d8f56b8\",\"container_config\":{\"Hostname\":\"8c57f459b89e\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"FOO=bar\"],\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) \",\"CMD [\\\"sh\\\" \\\"-c\\\" \\\"echo derived\\\"]\"],\"Image\":\"sha256:945e1f2e2507e1875c01f3f925c4a5e65ce5d2c15dfeb387b9d4fb1a0a3704a6\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}},\"docker_version\":\"20.10.24+dfsg1\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"FOO=bar\"],\"Cmd\":[\"sh\",\"-c\",\"echo derived\"],\"Image\":\"sha256:945e1f2e2507e1875c01f3f925c4a5e65ce5d2c15dfeb387b9d4fb1a0a3704a6\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"architecture\":\"amd64\",\"os\":\"linux\"}"
  ]
} as const;

test('the captured save fixture is self-consistent', () => {
  assert.equal(ENGINE_20_10_SAVE.folders.length, ENGINE_20_10_SAVE.diffIds.length);
});
