/**
 * Dockerfile analysis with a real parser (dockerfile-ast): stages, ARGs with defaults, FROM
 * resolution with build args substituted, the `builder` stage, the files a
 * build copies from the context (for cache inputs), and the last WORKDIR (`{workdir}`).
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { DockerfileParser, ModifiableInstruction, type Instruction } from 'dockerfile-ast';
import { DockconvError } from '../errors';

export interface ArgDecl {
  name: string;
  default?: string;
  line: number;
}

export interface CopyInstruction {
  keyword: 'COPY' | 'ADD';
  sources: string[];
  /** `--from=` value: a stage or an image, not the build context. */
  from?: string;
  line: number;
}

export interface Stage {
  index: number;
  /** `AS name` as written. */
  name?: string;
  /** The FROM argument as written, before substitution. */
  image: string;
  line: number;
  args: ArgDecl[];
  copies: CopyInstruction[];
  /** WORKDIR arguments in order, as written. */
  workdirs: string[];
}

export interface DockerfileInfo {
  file: string;
  globalArgs: ArgDecl[];
  stages: Stage[];
  /** Every ARG name declared anywhere: the automatic build args are passed only for these. */
  declaredArgs: Set<string>;
  /** The stage named `builder` in any case, as written, when there is one. */
  builderStage?: string;
}

const INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

export function readDockerfile(path: string, shownPath = path): DockerfileInfo {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new DockconvError('cannot read the Dockerfile', { file: shownPath });
  }
  return parseDockerfile(text, shownPath);
}

export function parseDockerfile(text: string, file: string): DockerfileInfo {
  const info: DockerfileInfo = { file, globalArgs: [], stages: [], declaredArgs: new Set() };
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    addInstruction(info, instruction);
  }
  if (info.stages.length === 0) throw new DockconvError('the Dockerfile has no FROM instruction', { file });
  info.builderStage = info.stages.find((s) => s.name?.toLowerCase() === 'builder')?.name;
  return info;
}

/**
 * Whether a line appended to this Dockerfile would join its last instruction: the last line that
 * is not blank or a comment (neither ends a continuation) ends in the escape character.
 */
export function endsInContinuation(text: string): boolean {
  const escape = DockerfileParser.parse(text).getEscapeCharacter();
  const last = text.split(/\r?\n/).reverse().find((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  return last?.trimEnd().endsWith(escape) ?? false;
}

function addInstruction(info: DockerfileInfo, instruction: Instruction): void {
  const keyword = instruction.getKeyword().toUpperCase();
  const line = instruction.getRange().start.line + 1;
  const where = { file: info.file, line };
  if (!INSTRUCTIONS.has(keyword)) {
    throw new DockconvError(`unknown instruction '${instruction.getKeyword()}'`, where);
  }
  const stage = info.stages.at(-1);
  if (keyword === 'FROM') return addStage(info, instruction, line);
  if (keyword === 'ARG') return addArgs(info, stage, instruction, line);
  if (!stage) throw new DockconvError(`${keyword} before the first FROM`, { ...where, hint: 'only ARG may come before FROM' });
  if (keyword === 'WORKDIR') stage.workdirs.push(instruction.getArgumentsContent() ?? '');
  if (keyword === 'COPY' || keyword === 'ADD') stage.copies.push(copyOf(keyword, instruction, line, info.file));
}

function addStage(info: DockerfileInfo, instruction: Instruction, line: number): void {
  const args = instruction.getArguments().map((a) => a.getValue()).filter((a) => !a.startsWith('--'));
  const [image, as, name] = args;
  const malformed = !image || (args.length !== 1 && (args.length !== 3 || as?.toUpperCase() !== 'AS'));
  if (malformed) {
    throw new DockconvError(`malformed FROM '${instruction.getArgumentsContent() ?? ''}'`, {
      file: info.file,
      line,
      hint: 'FROM [--platform=…] <image> [AS <name>]',
    });
  }
  info.stages.push({ index: info.stages.length, name, image, line, args: [], copies: [], workdirs: [] });
}

function addArgs(info: DockerfileInfo, stage: Stage | undefined, instruction: Instruction, line: number): void {
  for (const token of instruction.getArguments().map((a) => a.getValue())) {
    const eq = token.indexOf('=');
    const name = eq < 0 ? token : token.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new DockconvError(`malformed ARG '${token}'`, { file: info.file, line });
    }
    const decl: ArgDecl = { name, line, ...(eq < 0 ? {} : { default: unquote(token.slice(eq + 1)) }) };
    (stage ? stage.args : info.globalArgs).push(decl);
    info.declaredArgs.add(name);
  }
}

function copyOf(keyword: 'COPY' | 'ADD', instruction: Instruction, line: number, file: string): CopyInstruction {
  const content = instruction.getArgumentsContent() ?? '';
  const flags = instruction instanceof ModifiableInstruction ? instruction.getFlags() : [];
  const from = flags.find((f) => f.getName().toLowerCase() === 'from')?.getValue() ?? undefined;
  const paths = jsonArray(content.trim()) ?? instruction.getArguments().map((a) => a.getValue());
  if (paths.length < 2) throw new DockconvError(`${keyword} needs a source and a destination`, { file, line });
  return { keyword, sources: paths.slice(0, -1), line, ...(from === undefined ? {} : { from }) };
}

function jsonArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function unquote(value: string): string {
  const m = /^(["'])(.*)\1$/.exec(value);
  return m ? (m[2] ?? '') : value;
}

/** Docker's variable substitution: `$V`, `${V}`, `${V:-word}`, `${V:+word}`; unknown names become empty. */
export function substitute(text: string, vars: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
    const value = vars[braced ?? bare ?? ''];
    if (op === '-') return value ? value : (word ?? '');
    if (op === '+') return value ? (word ?? '') : '';
    return value ?? '';
  });
}

/** The values global ARGs take: their defaults, overridden by the build args given. */
export function globalArgValues(info: DockerfileInfo, buildArgs: Readonly<Record<string, string>>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const arg of info.globalArgs) {
    const given = buildArgs[arg.name];
    const value = given ?? (arg.default === undefined ? undefined : substitute(arg.default, values));
    if (value !== undefined) values[arg.name] = value;
  }
  return values;
}

export interface ResolvedFrom {
  stage: Stage;
  /** The image reference after substitution; undefined when the FROM names an earlier stage. */
  image?: string;
  /** Index of the earlier stage this FROM builds on. */
  parentStage?: number;
}

export function resolveFroms(info: DockerfileInfo, buildArgs: Readonly<Record<string, string>>): ResolvedFrom[] {
  const values = globalArgValues(info, buildArgs);
  return info.stages.map((stage) => {
    const image = substitute(stage.image, values);
    const parent = info.stages.find((s) => s.index < stage.index && s.name?.toLowerCase() === image.toLowerCase());
    if (!image) throw new DockconvError(`FROM '${stage.image}' resolves to nothing`, { file: info.file, line: stage.line, hint: 'give the ARG a default' });
    return parent ? { stage, parentStage: parent.index } : { stage, image };
  });
}

/** Images (not stages, not `scratch`) a build starts from or copies from. */
export function externalImages(info: DockerfileInfo, buildArgs: Readonly<Record<string, string>>): string[] {
  const values = globalArgValues(info, buildArgs);
  const stageNames = new Set(info.stages.flatMap((s) => (s.name ? [s.name.toLowerCase()] : [])));
  const froms = resolveFroms(info, buildArgs).flatMap((r) => (r.image ? [r.image] : []));
  const copyFroms = info.stages.flatMap((s) => s.copies.flatMap((c) => (c.from === undefined ? [] : [substitute(c.from, values)])));
  const images = [...froms, ...copyFroms].filter((i) => i !== 'scratch' && !stageNames.has(i.toLowerCase()) && !/^\d+$/.test(i));
  return [...new Set(images)];
}

/** The stages the final image consists of: the last stage and the chain of stages it builds on. */
export function finalStageChain(info: DockerfileInfo, buildArgs: Readonly<Record<string, string>>): ResolvedFrom[] {
  const froms = resolveFroms(info, buildArgs);
  const chain: ResolvedFrom[] = [];
  for (let at: ResolvedFrom | undefined = froms.at(-1); at; at = at.parentStage === undefined ? undefined : froms[at.parentStage]) {
    chain.unshift(at);
  }
  return chain;
}

/**
 * The WORKDIR the final image ends with, or undefined when its stages set none (then the parent
 * image's applies: the caller looks there). Relative WORKDIRs resolve against the previous one.
 */
export function lastWorkdir(info: DockerfileInfo, buildArgs: Readonly<Record<string, string>>): string | undefined {
  const values = globalArgValues(info, buildArgs);
  let dir: string | undefined;
  for (const { stage } of finalStageChain(info, buildArgs)) {
    for (const w of stage.workdirs) dir = posix.resolve(dir ?? '/', substitute(w, values));
  }
  return dir;
}

/** Context paths any stage copies (COPY/ADD without --from, URLs excluded): the build's file inputs. */
export function contextSources(info: DockerfileInfo): string[] {
  const sources = info.stages.flatMap((s) => s.copies.filter((c) => c.from === undefined).flatMap((c) => c.sources));
  return [...new Set(sources.filter((s) => !/^[a-z]+:\/\//i.test(s)))];
}
