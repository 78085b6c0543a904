import type { Style } from '../../lib/version';

export interface GenVersionExecutorSchema {
  /** Where to write the file, relative to the project root. Default `_version.py.bld`. */
  output?: string;
  /** Overrides the versioneer `style` from setup.cfg / pyproject.toml. */
  style?: Style;
}
