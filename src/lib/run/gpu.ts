/**
 * NVIDIA GPU access: which `docker run` flags give a container the GPUs, chosen from
 * what the engine reports (`docker info`) and, for a local engine, what is installed beside it.
 * Pure: the facts come in, so every engine shape is testable without a GPU.
 */
import type { EngineInfo } from '../docker/engine';
import { DockconvError } from '../errors';

/** What can only be seen on the engine's own machine, so only when the engine is local. */
export interface HostGpuFacts {
  /** `nvidia-container-runtime-hook` or `nvidia-container-cli` on PATH: `--gpus` works. */
  toolkit: boolean;
  /** CDI device kinds found in the spec files of `CDISpecDirs` (`nvidia.com/gpu`). */
  cdiKinds: string[];
}

export type GpuMechanism = 'toolkit' | 'runtime' | 'cdi';

export interface GpuChoice {
  mechanism: GpuMechanism;
  args: string[];
}

const CDI_KIND = 'nvidia.com/gpu';

/**
 * The flags for all GPUs. `--gpus all` is NVIDIA's documented way and is preferred when the toolkit
 * is seen; an engine that lists an `nvidia` runtime gets the NVIDIA Docker 2.0 form, which works
 * wherever that runtime is registered (also on remote engines, where the toolkit cannot be seen);
 * CDI comes last since engines before 28 need it switched on explicitly.
 */
export function selectGpu(info: EngineInfo, host: HostGpuFacts | undefined): GpuChoice {
  if (host?.toolkit) return { mechanism: 'toolkit', args: ['--gpus', 'all'] };
  const runtime = nvidiaRuntime(info);
  if (runtime) return { mechanism: 'runtime', args: [`--runtime=${runtime}`, '-e', 'NVIDIA_VISIBLE_DEVICES=all'] };
  if (hasCdiGpus(info, host)) return { mechanism: 'cdi', args: ['--device', `${CDI_KIND}=all`] };
  throw new DockconvError('a GPU was asked for, but the Docker engine offers no NVIDIA GPU access', {
    hint:
      'install the NVIDIA Container Toolkit on the engine host (nvidia-ctk runtime configure, or nvidia-ctk cdi generate), ' +
      'or give the flags verbatim in run.cfg, e.g. gpu = --gpus all',
  });
}

/** The name of a runtime that is NVIDIA's: `nvidia`, or one whose binary is nvidia-container-runtime. */
export function nvidiaRuntime(info: EngineInfo): string | undefined {
  const runtimes = Object.entries(info.Runtimes ?? {});
  const named = runtimes.find(([name]) => name === 'nvidia');
  const byPath = runtimes.find(([, r]) => /nvidia-container-runtime/.test(r?.path ?? ''));
  return (named ?? byPath)?.[0];
}

function hasCdiGpus(info: EngineInfo, host: HostGpuFacts | undefined): boolean {
  const discovered = (info.DiscoveredDevices ?? []).some((d) => (d.Source ?? 'cdi') === 'cdi' && d.ID?.startsWith(`${CDI_KIND}=`));
  const specified = (info.CDISpecDirs ?? []).length > 0 && (host?.cdiKinds.includes(CDI_KIND) ?? false);
  return discovered || specified;
}
