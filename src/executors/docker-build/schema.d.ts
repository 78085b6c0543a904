export interface DockerBuildExecutorSchema {
  /** Image type to build (with what it derives from); default all of the project's. */
  image?: string;
  /** Internal: set by the per-image targets `docker-build-<image>`. */
  imageType?: string;
  tag?: string;
  name?: string;
  forceBase?: boolean;
  pull?: boolean;
  noCache?: boolean;
  buildArgs?: string | string[];
  /** Platforms every image of the run is built for (`linux/amd64,linux/arm64`). */
  platforms?: string | string[];
  /** BuildKit secrets: `id=NAME,src=PATH` or `id=NAME,env=VAR`. */
  secrets?: string | string[];
  /** BuildKit ssh forwarding: `default` or `ID=PATH`. */
  ssh?: string | string[];
  /** Images built at once by the aggregate or a batch run; `--parallel` is Nx's own. */
  concurrentBuilds?: number;
  /** Registry builds are shared through with other machines; `none` turns it off. */
  sharedRegistry?: string;
  /** `false`: pull shared builds, push none (above DOCKCONV_SHARED_PUSH and the plugin option). */
  sharedPush?: boolean;
  dryRun?: boolean;
}
