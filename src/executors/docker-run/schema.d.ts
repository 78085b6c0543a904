export interface DockerRunExecutorSchema {
  /** Image type, synthetic image or configuration-only image of the project (usually from the target's configuration). */
  image?: string;
  /** Replaces run.cfg's cmd; split like a shell would, never run by one. */
  command?: string;
  /** Detached and kept (no --rm). */
  keep?: boolean;
  /** Replaces run.cfg's network. */
  network?: string;
  /** true: all GPUs with the engine's flags; false: none, whatever run.cfg says. */
  gpu?: boolean;
  /** NAME=value (or NAME), after run.cfg's. A single string is accepted too. */
  env?: string[] | string;
  /** docker run flags after run.cfg's args. */
  args?: string;
  /** false: do not pass the host's AWS credential variables (default: passed as -e NAME to a local engine). */
  awsEnv?: boolean;
  /** Build the image first when it is missing. */
  build?: boolean;
  dryRun?: boolean;
}
