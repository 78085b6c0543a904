export { createNodes, createNodesV2, createDependencies } from './plugin/plugin';
export { preTasksExecution } from './plugin/image-states';
export type { DockconvPluginOptions } from './plugin/options';
