import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../lib/errors';
import { parseCommandLine, UsageError } from './project';
import { PUBLISH_IMAGE, publishRequestOf } from './publish-request';

const request = (argv: string[]) => {
  const line = parseCommandLine(PUBLISH_IMAGE, argv);
  return publishRequestOf(line, line.positionals[0] ?? '');
};

describe('publish-image command lines', () => {
  it('the image alone: that image, the version as the tag, the registry from the configuration', () => {
    assert.deepEqual(request(['dev']), { image: 'dev' });
  });

  it('all publishes every image', () => {
    assert.deepEqual(request(['all', '--latest']), { latest: true });
  });

  it('maps each flag onto the library’s choices', () => {
    assert.deepEqual(request(['-r', '127.0.0.1:5000', '--repository', 'team/app', '--tag', '1.0.0', '--latest', '--tags', 'stable', '--tags', 'edge', 'dev']), {
      image: 'dev',
      registry: '127.0.0.1:5000',
      repository: 'team/app',
      tag: '1.0.0',
      latest: true,
      extraTags: ['stable', 'edge'],
    });
    assert.deepEqual(request(['--registry=none', 'base']), { image: 'base', registry: 'none' });
  });

  it('-i/--image_name and the dry run are the command’s own, not the request’s', () => {
    const line = parseCommandLine(PUBLISH_IMAGE, ['-i', 'other', '--dry-run', 'dev']);
    assert.equal(line.text('image_name'), 'other');
    assert.equal(line.flag('dry-run'), true);
    assert.deepEqual(publishRequestOf(line, 'dev'), { image: 'dev' });
  });

  it('an invalid tag names the flag; an unknown flag or a missing image is a usage error', () => {
    assert.throws(() => request(['--tag', '-bad', 'dev']), (err: unknown) => err instanceof UsageError || err instanceof DockconvError);
    assert.throws(() => request(['--tag=a b', 'dev']), (err: unknown) => err instanceof DockconvError && /--tag: invalid image tag 'a b'/.test(err.describe()));
    assert.throws(() => request(['--force', 'dev']), UsageError);
    assert.throws(() => request([]), /the following arguments are required: image/);
  });
});
