/** `docker/run.cfg`: the run configurations of a project's images. */
export { booleanOf, parseBoolean, parseConfig, type ConfigDocument, type ConfigEntry, type ConfigSection } from './parser';
export {
  findRunConfigFile,
  LEGACY_RUN_CONFIG_FILE,
  readRunConfig,
  RUN_CONFIG_FILE,
  RUN_CONFIG_FILES,
  runConfigLocation,
  type RunConfig,
  type RunConfigFiles,
} from './reader';
export {
  AWS_ENV_KEY,
  BUILD_KEYS,
  classifySections,
  PUBLISH_KEYS,
  readPrefix,
  RUN_KEYS,
  runKey,
  syntheticImages,
  type PrefixReading,
  type SectionKind,
} from './schema';
export { closestKey } from './suggest';
export { appendSection } from './writer';
