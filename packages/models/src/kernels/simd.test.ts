import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildKernelsModule } from '../../scripts/build-wasm.mjs';

describe('the SIMD kernels module', () => {
  it('is the committed build of wasm/kernels.ts (rebuilt with the pinned assemblyscript, byte for byte)', async () => {
    const committed = readFileSync(new URL('./simd-module.generated.ts', import.meta.url), 'utf8');
    const rebuilt: string = await buildKernelsModule();
    expect(rebuilt).toBe(committed);
  }, 120_000);

  it('ships a relaxed-SIMD build that differs from the SIMD128 one (fused multiply-adds)', async () => {
    const { RELAXED_SIMD_KERNELS_WASM, SIMD_KERNELS_WASM } = await import('./simd-module.generated.js');
    expect(RELAXED_SIMD_KERNELS_WASM).not.toBe(SIMD_KERNELS_WASM);
    // 0xfd 0x85 0x02 is f32x4.relaxed_madd (opcode 0x105, LEB128): present in the relaxed build only.
    const hasMadd = (base64: string) => Buffer.from(base64, 'base64').includes(Buffer.from([0xfd, 0x85, 0x02]));
    expect(hasMadd(RELAXED_SIMD_KERNELS_WASM)).toBe(true);
    expect(hasMadd(SIMD_KERNELS_WASM)).toBe(false);
  });

  it.each([
    ['SIMD128', 'SIMD_KERNELS_WASM'],
    ['relaxed-SIMD', 'RELAXED_SIMD_KERNELS_WASM'],
  ] as const)(
    '%s build: imports its memory and owns no data, so it can run on the tfjs wasm heap without touching other tensors',
    async (_name, constant) => {
      const generated = await import('./simd-module.generated.js');
      const bytes = Buffer.from(generated[constant], 'base64');
      if (constant === 'RELAXED_SIMD_KERNELS_WASM' && !WebAssembly.validate(bytes)) {
        // Node 20 has no relaxed SIMD: the build must then be refused as a whole, which is what selects the fallback.
        expect(() => new WebAssembly.Module(bytes)).toThrow();
        return;
      }
      const module = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
      // A data segment would be written into the imported memory at instantiation: the heap must come out unchanged.
      const memory = new WebAssembly.Memory({ initial: 1 });
      new Uint8Array(memory.buffer).fill(0xab);
      new WebAssembly.Instance(module, { env: { memory } });
      expect(new Uint8Array(memory.buffer).every((byte) => byte === 0xab)).toBe(true);
      const exported = WebAssembly.Module.exports(module)
        .filter((e) => e.kind === 'function')
        .map((e) => e.name)
        .sort();
      expect(exported).toEqual([
        'adamStep',
        'batchNormApply',
        'batchNormBackward',
        'batchNormScratchFloats',
        'batchNormStatistics',
        'col2im',
        'convFilterGradient',
        'convSingleChannel',
        'matMulNN',
        'matMulNT',
        'matMulTN',
        'maxPool2x2Gradient',
        'sumRows',
        'winograd4Convolution',
        'winograd4FilterGradient',
        'winograd4ScratchFloats',
        'winogradConvolution',
        'winogradFilterGradient',
        'winogradScratchFloats',
      ]);
    },
  );

  it('kernelVariant names the build that runs: the best one this engine validates, none with the module off', async () => {
    const { kernelVariant, relaxedSimdSupported, setRelaxedSimdEnabled, setSimdKernelsEnabled } = await import(
      './simd.js'
    );
    // Node 20 and later have WebAssembly SIMD; relaxed SIMD from Node 22 on.
    expect(kernelVariant()).toBe(relaxedSimdSupported() ? 'relaxed-simd' : 'simd128');
    try {
      setRelaxedSimdEnabled(false);
      expect(kernelVariant()).toBe('simd128');
      setSimdKernelsEnabled(false);
      expect(kernelVariant()).toBe('none');
    } finally {
      setRelaxedSimdEnabled(true);
      setSimdKernelsEnabled(true);
    }
  });
});
