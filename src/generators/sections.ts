/**
 * The run.cfg section each template gets: the keys that make the image usable as scaffolded, and
 * comments for the ones the user is likely to want next.
 */
import type { Template } from './shared';

export interface SectionContent {
  entries: [string, string][];
  /** Comment lines (without `# `) written after the keys. */
  comments: string[];
}

/** The project mounted at the image's WORKDIR: source edits are seen without a rebuild. */
const MOUNT_PROJECT: [string, string] = ['volumes', '-v {project_root}:{workdir}'];

const SECTIONS: Record<Template, SectionContent> = {
  base: {
    entries: [],
    comments: [
      'pull_FROM_on_force = yes   pull the external FROM image when the base is force-built',
      'build_args = --build-arg PIP_INDEX_URL=$PIP_INDEX_URL',
    ],
  },
  plain: {
    entries: [],
    comments: ['environment = -e LOG_LEVEL=info', 'cmd = python -m <package>'],
  },
  dev: {
    entries: [MOUNT_PROJECT, ['interactive', '-it']],
    comments: ['environment = -e PYTHONPATH={workdir}'],
  },
  notebook: {
    entries: [MOUNT_PROJECT, ['ports', '-p 8888:8888']],
    comments: ['volumes_docked = ...   on a remote engine the project path does not exist; mount a volume instead'],
  },
  gpu: {
    // `yes` asks docker-run to detect what this engine offers (--gpus all, the nvidia runtime or
    // CDI devices) rather than fixing one form: fixed flags break on engines of the other kinds.
    entries: [['interactive', '-it'], ['gpu', 'yes']],
    comments: [
      'gpu = yes detects the engine\'s GPU support; docker flags here (e.g. --gpus device=0) are used',
      'verbatim. Without a GPU: nx run <project>:docker-run:<image> --gpu=false',
    ],
  },
};

/** The section for `template`, its comments naming the actual project and image. */
export function sectionFor(template: Template, project: string, image: string): SectionContent {
  const content = SECTIONS[template];
  const named = (line: string): string => line.replace('<project>', project).replace('<image>', image);
  return { entries: content.entries.map(([k, v]) => [k, v]), comments: content.comments.map(named) };
}
