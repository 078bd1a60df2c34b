/**
 * Every committed fuzz input (fuzz/corpus/<target>/, which includes each input
 * that once broke a property, kept after its fix) replayed through its target
 * on every test run: the fuzzers' findings stay fixed (issue #10).
 */
import { readCorpus } from './engine/corpus';
import { TARGETS } from './targets';

describe.each(TARGETS.map((t) => [t.name, t] as const))('fuzz corpus of %s replays without a finding', (_name, target) => {
  const inputs = [...target.seeds.map((s) => Buffer.from(s, 'utf8')), ...readCorpus(target.name)];

  it(`holds for all ${inputs.length} inputs`, () => {
    const failures: string[] = [];
    for (const input of inputs) {
      try {
        target.run(input);
      } catch (e) {
        failures.push(`${(e as Error).message.slice(0, 200)} (input base64 ${input.toString('base64').slice(0, 120)})`);
      }
    }
    expect(failures).toEqual([]);
  });
});

it('the stream-parser regression found by fuzzing (a not-well-formed header, then a byte that is not UTF-8) is in the corpus', () => {
  const regression = Buffer.concat([Buffer.from("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' a=b>"), Buffer.from([0xc3, 0x28])]);
  expect(readCorpus('stream-parser').some((b) => b.equals(regression))).toBe(true);
});
