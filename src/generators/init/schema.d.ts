export interface InitGeneratorSchema {
  /** Scaffold docker/base/Dockerfile, docker/run.cfg and .dockerignore in this project. */
  project?: string;
  /** The external image docker/base/Dockerfile starts FROM. */
  baseImage?: string;
  skipFormat?: boolean;
}
