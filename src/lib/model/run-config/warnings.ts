/**
 * The warnings a run.cfg earns without being wrong: keys and sections nothing reads (most often
 * typos, so the nearest known name is suggested) and `prefix` values dockerutils read otherwise.
 */
import type { Warning } from '../../errors';
import type { ConfigDocument, ConfigEntry, ConfigSection } from './parser';
import { BUILD_KEYS, classifySections, KNOWN_KEYS, readPrefix, type SectionKind } from './schema';
import { closestKey } from './suggest';

/** Every section checked against its kind; reading goes on, the warnings are shown. */
export function sectionWarnings(doc: ConfigDocument, imageTypes: readonly string[]): Warning[] {
  const warnings: Warning[] = [];
  const kinds = classifySections(doc, imageTypes);
  for (const section of doc.sections.values()) {
    const kind = kinds.get(section.name) ?? 'unknown';
    if (kind === 'unknown') warnings.push(unknownSectionWarning(section, doc.file, imageTypes));
    const prefix = section.entries.get('prefix');
    const reading = prefix && !prefix.inherited ? readPrefix(prefix, doc.file).warning : undefined;
    if (reading) warnings.push(reading);
    const known = KNOWN_KEYS[kind];
    if (!known) continue;
    // [DEFAULT] keys are inherited everywhere, mostly as %(…)s helpers: only own keys are checked.
    for (const entry of section.entries.values()) {
      if (entry.inherited || known.includes(entry.key)) continue;
      warnings.push(unknownKeyWarning(entry, section, kind, known, doc.file));
    }
  }
  return warnings;
}

function unknownKeyWarning(
  entry: ConfigEntry,
  section: ConfigSection,
  kind: SectionKind,
  known: readonly string[],
  file: string,
): Warning {
  if (kind === 'synthetic' && BUILD_KEYS.includes(entry.key)) {
    const message = `build key '${entry.key}' has no effect in [${section.name}]: a synthetic image is not built`;
    return { file, line: entry.line, message };
  }
  const suggestion = closestKey(entry.key, known);
  const hint = suggestion ? `; did you mean '${suggestion}'?` : '';
  return { file, line: entry.line, message: `unknown key '${entry.key}' in [${section.name}]${hint}` };
}

function unknownSectionWarning(section: ConfigSection, file: string, imageTypes: readonly string[]): Warning {
  const suggestion = closestKey(section.name, imageTypes);
  const hint = suggestion ? `; did you mean [${suggestion}]?` : '';
  return {
    file,
    line: section.line,
    message:
      `section [${section.name}] is unused: no docker/${section.name}/Dockerfile, not a synthetic image of [run_image], ` +
      `not named by an env key, not a configuration-only image (name and prefix = false)${hint}`,
  };
}
