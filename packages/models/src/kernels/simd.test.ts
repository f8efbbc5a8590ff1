import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildKernelsModule } from '../../scripts/build-wasm.mjs';

describe('the SIMD kernels module', () => {
  it('is the committed build of wasm/kernels.ts (rebuilt with the pinned assemblyscript, byte for byte)', async () => {
    const committed = readFileSync(new URL('./simd-module.generated.ts', import.meta.url), 'utf8');
    const rebuilt: string = await buildKernelsModule();
    expect(rebuilt).toBe(committed);
  }, 60_000);

  it('imports its memory and owns no data, so it can run on the tfjs wasm heap without touching other tensors', async () => {
    const { SIMD_KERNELS_WASM } = await import('./simd-module.generated.js');
    const module = new WebAssembly.Module(Buffer.from(SIMD_KERNELS_WASM, 'base64'));
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
  });
});
