import { PLUGIN_NAME } from '../lib/model/conventions';
import type { NamingOptions } from '../lib/model/project';

/** Plugin options from nx.json (`plugins: [{ plugin: '@dockconv/nx', options: {…} }]`). */
export interface DockconvPluginOptions {
  buildTargetName?: string;
  runTargetName?: string;
  transferTargetName?: string;
  versionTargetName?: string;
  publishTargetName?: string;
  /** Registry images are published to (`host[:port]` with an optional namespace), below run.cfg `registry`. */
  registry?: string;
  /** Registry builds are shared through between machines (off unless set). */
  sharedRegistry?: string;
  /** `false`: pull shared builds, push none; below DOCKCONV_SHARED_PUSH and the executor option. */
  sharedPush?: boolean;
  /** Default tag instead of the user name. */
  tag?: string;
  /** `false` drops the `<project>-` prefix from image names. */
  prefix?: boolean;
}

export type NormalizedPluginOptions = Required<Omit<DockconvPluginOptions, 'tag' | 'prefix' | 'registry' | 'sharedRegistry' | 'sharedPush'>> &
  Pick<DockconvPluginOptions, 'tag' | 'prefix' | 'registry' | 'sharedRegistry' | 'sharedPush'>;

export function normalizePluginOptions(options: DockconvPluginOptions | undefined): NormalizedPluginOptions {
  return {
    buildTargetName: options?.buildTargetName ?? 'docker-build',
    runTargetName: options?.runTargetName ?? 'docker-run',
    transferTargetName: options?.transferTargetName ?? 'transfer-image',
    versionTargetName: options?.versionTargetName ?? 'gen-version',
    publishTargetName: options?.publishTargetName ?? 'publish-image',
    ...(options?.tag === undefined ? {} : { tag: options.tag }),
    ...(options?.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options?.registry === undefined ? {} : { registry: options.registry }),
    ...(options?.sharedRegistry === undefined ? {} : { sharedRegistry: options.sharedRegistry }),
    ...(options?.sharedPush === undefined ? {} : { sharedPush: options.sharedPush }),
  };
}

/** How the plugin options name images: every reader of the workspace (inference, cache, executors) passes this. */
export function namingLayerOf(options: NormalizedPluginOptions): NonNullable<NamingOptions['plugin']> {
  return { tag: options.tag, prefix: options.prefix };
}

/** The options registered for this plugin in nx.json, or none. */
export function pluginOptionsFrom(nxJson: { plugins?: unknown[] } | undefined): DockconvPluginOptions {
  for (const entry of nxJson?.plugins ?? []) {
    if (typeof entry === 'object' && entry !== null && 'plugin' in entry && entry.plugin === PLUGIN_NAME) {
      return ((entry as { options?: DockconvPluginOptions }).options ?? {});
    }
  }
  return {};
}

