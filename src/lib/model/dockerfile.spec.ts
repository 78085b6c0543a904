import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../errors';
import { contextSources, endsInContinuation, externalImages, lastWorkdir, parseDockerfile, resolveFroms, substitute } from './dockerfile';

const derived = `# syntax=docker/dockerfile:1
ARG BASE_IMAGE=demo-base:latest
ARG TAG
FROM \${BASE_IMAGE} AS Builder
ARG VERSION
WORKDIR /src
COPY --chown=1:1 src/ requirements.txt ./
RUN make
FROM demo-base:\${TAG:-latest}
WORKDIR /app
WORKDIR sub
COPY --from=builder /src/out /app/out
COPY ["data dir/a b.txt", "/app/"]
ADD https://example.com/x.tgz /tmp/
COPY --from=other-image:1 /x /x
`;

describe('parseDockerfile', () => {
  const info = parseDockerfile(derived, 'docker/dev/Dockerfile');
  it('finds stages, the builder stage as written, and every ARG', () => {
    assert.deepEqual(info.stages.map((s) => [s.name, s.image, s.line]), [
      ['Builder', '${BASE_IMAGE}', 4],
      [undefined, 'demo-base:${TAG:-latest}', 9],
    ]);
    assert.equal(info.builderStage, 'Builder');
    assert.deepEqual([...info.declaredArgs].sort(), ['BASE_IMAGE', 'TAG', 'VERSION']);
    assert.deepEqual(info.globalArgs.map((a) => [a.name, a.default]), [['BASE_IMAGE', 'demo-base:latest'], ['TAG', undefined]]);
  });
  it('resolves FROM with ARG defaults and given build args', () => {
    assert.deepEqual(resolveFroms(info, {}).map((r) => r.image), ['demo-base:latest', 'demo-base:latest']);
    assert.deepEqual(resolveFroms(info, { BASE_IMAGE: 'demo-base:bob', TAG: 'bob' }).map((r) => r.image), ['demo-base:bob', 'demo-base:bob']);
  });
  it('lists external images, including COPY --from an image, not stages', () => {
    assert.deepEqual(externalImages(info, { TAG: 'bob' }), ['demo-base:latest', 'demo-base:bob', 'other-image:1']);
  });
  it('lists context sources (JSON form too), not URLs or --from copies', () => {
    assert.deepEqual(contextSources(info), ['src/', 'requirements.txt', 'data dir/a b.txt']);
  });
  it('resolves the last WORKDIR of the final stage', () => {
    assert.equal(lastWorkdir(info, {}), '/app/sub');
  });
  it('follows FROM <stage> for the WORKDIR chain', () => {
    const chained = parseDockerfile('FROM scratch AS one\nWORKDIR /w\nFROM one\nRUN x\n', 'D');
    assert.equal(lastWorkdir(chained, {}), '/w');
    assert.deepEqual(resolveFroms(chained, {}).map((r) => r.parentStage ?? r.image), ['scratch', 0]);
    assert.deepEqual(externalImages(chained, {}), []);
  });
});

describe('parseDockerfile errors carry file and line', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown instruction', 'FROM scratch\nFROMM x\n', /^D:2: unknown instruction 'FROMM'/],
    ['no FROM', 'ARG A=1\n', /^D: the Dockerfile has no FROM instruction/],
    ['empty', '', /no FROM/],
    ['RUN before FROM', 'RUN x\nFROM scratch\n', /^D:1: RUN before the first FROM/],
    ['malformed FROM', 'FROM a b c d\n', /^D:1: malformed FROM/],
    ['FROM without image', 'FROM\n', /^D:1: malformed FROM/],
    ['COPY without destination', 'FROM scratch\nCOPY a\n', /^D:2: COPY needs a source and a destination/],
    ['bad ARG', 'ARG 1x=2\nFROM scratch\n', /^D:1: malformed ARG/],
  ];
  for (const [label, text, message] of cases) {
    it(label, () => {
      assert.throws(() => parseDockerfile(text, 'D'), (e: unknown) => e instanceof DockconvError && message.test(e.describe()));
    });
  }
  it('a FROM that resolves to nothing', () => {
    assert.throws(() => resolveFroms(parseDockerfile('ARG B\nFROM ${B}\n', 'D'), {}), /^Error|FROM '\$\{B\}' resolves to nothing/);
  });
});

describe('endsInContinuation', () => {
  it('is true only when the last instruction line ends in the escape character', () => {
    assert.equal(endsInContinuation(derived), false);
    assert.equal(endsInContinuation('FROM a\nRUN x'), false);
    assert.equal(endsInContinuation('FROM a\nRUN x \\'), true);
    // Blank and comment lines continue a continuation rather than end it.
    assert.equal(endsInContinuation('FROM a\nRUN x \\\n\n# note\n  \n'), true);
    assert.equal(endsInContinuation('FROM a\r\nRUN x \\\r\n'), true);
  });
  it('follows the escape directive', () => {
    assert.equal(endsInContinuation('# escape=`\nFROM a\nRUN x `\n'), true);
    assert.equal(endsInContinuation('# escape=`\nFROM a\nRUN dir c:\\\n'), false);
  });
});

describe('substitute', () => {
  for (const [text, expected] of [
    ['$A', '1'],
    ['${A}x', '1x'],
    ['${NO:-d}', 'd'],
    ['${A:-d}', '1'],
    ['${A:+set}', 'set'],
    ['${NO:+set}', ''],
    ['$NO', ''],
  ] as const) {
    it(text, () => assert.equal(substitute(text, { A: '1' }), expected));
  }
});
