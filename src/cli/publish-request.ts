/**
 * publish-image's command line and what it asks of the publish library: dockerutils' image
 * positional and `-i/--image_name`, and the publish executor's choices as flags.
 */
import type { PublishRequest } from '../lib/publish';
import { assertValidTag } from '../lib/model/naming';
import type { Command, CommandLine } from './project';

export const PUBLISH_IMAGE: Command = {
  name: 'publish-image',
  usage: '[-h] [-i IMAGE_NAME] [-r REGISTRY] [--repository REPOSITORY] [--tag TAG] [--latest] [--tags TAG] [--trust-shared] [--dryrun] image',
  help: `Pushes an image of the project in the current folder to a registry under its version (what git
says: versioneer's, else git describe), building it first when it is missing or stale.

positional arguments:
  image                 an image type (a folder of docker/), or all (every image)

options:
  -h, --help            show this help message and exit
  -i IMAGE_NAME, --image_name IMAGE_NAME
                        the image's name instead of <project>-<image> (built, and pushed, under it)
  -r REGISTRY, --registry REGISTRY
                        host[:port][/namespace] instead of run.cfg registry; none pushes the name as it is
  --repository REPOSITORY
                        the repository under the registry instead of run.cfg repository or the image's name
  --tag TAG             the tag to push instead of the version
  --latest              also push the latest tag
  --tags TAG            one more tag to push (repeatable)
  --trust-shared        push images this machine did not build as they are, instead
                        of rebuilding them here first
  --dryrun, --dry-run   print the commands, build, tag and push nothing

Credentials come from docker login (the docker config and its credential helpers).`,
  options: {
    image_name: { type: 'string', short: 'i' },
    registry: { type: 'string', short: 'r' },
    repository: { type: 'string' },
    tag: { type: 'string' },
    latest: { type: 'boolean' },
    tags: { type: 'string', multiple: true },
    'trust-shared': { type: 'boolean' },
    dryrun: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  positionals: ['image'],
};

/** The library's request for `image` (an image type, or all) from the parsed command line. */
export function publishRequestOf(line: CommandLine, image: string): PublishRequest {
  const tag = line.text('tag');
  const registry = line.text('registry');
  const repository = line.text('repository');
  const extraTags = line.list('tags');
  return {
    ...(image === 'all' ? {} : { image }),
    ...(tag !== undefined ? { tag: assertValidTag(tag, { file: '--tag' }) } : {}),
    ...(registry !== undefined ? { registry } : {}),
    ...(repository !== undefined ? { repository } : {}),
    ...(line.flag('latest') ? { latest: true } : {}),
    ...(extraTags.length ? { extraTags } : {}),
  };
}
