export { createNodes, createNodesV2, createDependencies } from './plugin/plugin';
export type { DockconvPluginOptions } from './plugin/options';
