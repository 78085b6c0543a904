import type { Template } from '../shared';

export interface ImageGeneratorSchema {
  /** The image type: docker/<name>/ and the [<name>] section of docker/run.cfg. */
  name: string;
  project: string;
  /** Defaults to the name when it is a template's, else `plain`. */
  template?: Template;
  /** Derive from this image type of the project instead of ${BASE_IMAGE}. */
  from?: string;
  /** A base-style image: FROM an external image (`baseImage`). */
  base?: boolean;
  /** The external image of a base-style image, or of docker/base when it is created. */
  baseImage?: string;
}
