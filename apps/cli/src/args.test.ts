import { getPreset, PRESET_NAMES } from '@fmnist/models';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SEED, MAX_SEED_COUNT, parsePreset, parseSeeds, presetArgs } from './args.js';
import { UsageError } from './errors.js';

describe('parseSeeds', () => {
  it('reads a count as that many seeds counting up from --seed (0 when absent)', () => {
    expect(parseSeeds({ seeds: '3' })).toEqual([0, 1, 2]);
    expect(parseSeeds({ seeds: '2', seed: '10' })).toEqual([10, 11]);
    expect(parseSeeds({ seeds: '1' })).toEqual([0]);
    expect(parseSeeds({})).toBeUndefined();
  });

  it('reads a comma list of distinct seeds in the order given', () => {
    expect(parseSeeds({ seeds: '0,1,2' })).toEqual([0, 1, 2]);
    expect(parseSeeds({ seeds: `7,${MAX_SEED},3` })).toEqual([7, MAX_SEED, 3]);
  });

  it.each([
    ['0,,1', /got '0,,1' \(an empty entry\)/],
    ['-1', /got '-1'$/],
    ['0,0', /got '0,0' \(0 is listed twice\)/],
    ['abc', /got 'abc'$/],
    ['0', /got '0' \(a count of 0\)/],
    [String(MAX_SEED_COUNT + 1), /a count of 101/],
    [`0,${MAX_SEED + 1}`, /'4294967296' is not a seed/],
    ['1,x', /'x' is not a seed/],
    ['', /got ''$/],
  ])('refuses --seeds %j, naming what is valid', (value, detail) => {
    let error: unknown;
    try {
      parseSeeds({ seeds: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    const { message } = error as UsageError;
    expect(message).toContain(
      `--seeds must be a count from 1 to ${MAX_SEED_COUNT} or a comma list of distinct seeds from 0 to ${MAX_SEED}`,
    );
    expect(message).toMatch(detail);
  });

  it('refuses --seeds with no value, a --seeds list with --seed, and a count that runs past the last seed', () => {
    expect(() => parseSeeds({ seeds: true })).toThrow(UsageError);
    expect(() => parseSeeds({ seeds: '0,1', seed: '0' })).toThrow(/--seed and a --seeds list both choose the seeds/);
    expect(() => parseSeeds({ seeds: '2', seed: String(MAX_SEED) })).toThrow(/would go past the last seed/);
  });

  it('gives back any list of distinct seeds written with commas', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: MAX_SEED }), { minLength: 2, maxLength: 20 }), (seeds) => {
        expect(parseSeeds({ seeds: seeds.join(',') })).toEqual(seeds);
      }),
    );
  });
});

describe('parsePreset', () => {
  it('accepts each preset, gives the default when absent, and names the valid ones otherwise', () => {
    for (const name of PRESET_NAMES) expect(parsePreset({ preset: name })).toBe(name);
    expect(parsePreset({})).toBe('standard');
    expect(() => parsePreset({ preset: 'fast' })).toThrow("--preset must be one of quick, standard, best, got 'fast'");
  });

  it("describes each preset in the flag's help with its own one-line description", () => {
    for (const name of PRESET_NAMES) {
      expect(presetArgs.preset.description).toContain(`${name}, ${getPreset(name).description}`);
    }
  });
});
