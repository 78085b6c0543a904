import type { ProjectVersionData } from '../../lib/publish/release-version';

export interface PublishExecutorSchema {
  /** One image type of the project; without it, every image the project builds. */
  image?: string;
  /** `host[:port]` with an optional namespace (`ghcr.io/acme`); above run.cfg and nx.json. */
  registry?: string;
  /** The repository under the registry, for one image; default: the local repository name. */
  repository?: string;
  /** Run on its own: the tag to push instead of the version. Under nx release: one more tag beside the release version. */
  tag?: string | number;
  /** Also push `latest`. */
  latest?: boolean;
  /** More tags to push. */
  tags?: (string | number)[];
  /** Publish the version `nx release` resolved (what the inferred nx-release-publish target sets). */
  release?: boolean;
  /** Push images this machine did not build (pulled from the shared registry) instead of rebuilding them. */
  trustShared?: boolean;
  /** Print every command, build and push nothing. */
  dryRun?: boolean;
  /** Passed by `nx release`: each project's new version. */
  nxReleaseVersionData?: Record<string, ProjectVersionData | undefined>;
  /** Passed by `nx release publish`; images have no first-release step. */
  firstRelease?: boolean;
  /** Passed by `nx release publish --otp/--access` (npm's); not used by registries of images. */
  otp?: string;
  access?: string;
}
