import { type SimdKernels, standaloneSimdKernels } from '../kernels/simd.js';

/**
 * Adam over one flat Float32Array of parameters, in a single fused loop. It computes the update of `tf.train.adam`
 * (same defaults: beta1 0.9, beta2 0.999, epsilon 1e-7), but one pass over typed arrays costs a fraction of tfjs'
 * dozen tensor ops per variable, and every replica computes it bit-identically. Where WebAssembly SIMD runs, the
 * moments live in a memory of their own and our SIMD module does the pass in float32 (as tfjs does), four at a time.
 */
export class FlatAdam {
  private readonly firstMoment: Float32Array;
  private readonly secondMoment: Float32Array;
  private readonly simd: { kernels: SimdKernels; parameters: Float32Array; gradient: Float32Array } | undefined;
  private beta1Power = 1;
  private beta2Power = 1;

  constructor(
    size: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    const standalone = standaloneSimdKernels(4 * size * 4);
    if (standalone) {
      const { buffer } = standalone.memory;
      this.simd = {
        kernels: standalone.kernels,
        parameters: new Float32Array(buffer, 0, size),
        gradient: new Float32Array(buffer, size * 4, size),
      };
      this.firstMoment = new Float32Array(buffer, 2 * size * 4, size);
      this.secondMoment = new Float32Array(buffer, 3 * size * 4, size);
    } else {
      this.simd = undefined;
      this.firstMoment = new Float32Array(size);
      this.secondMoment = new Float32Array(size);
    }
  }

  /** Updates `parameters` in place from `gradient` (same length) at `learningRate`. */
  step(parameters: Float32Array, gradient: Float32Array, learningRate: number): void {
    const { beta1, beta2, epsilon, firstMoment, secondMoment } = this;
    this.beta1Power *= beta1;
    this.beta2Power *= beta2;
    const firstCorrection = 1 / (1 - this.beta1Power);
    const secondCorrection = 1 / (1 - this.beta2Power);
    if (this.simd && parameters.length === firstMoment.length) {
      const { kernels, parameters: heapParameters, gradient: heapGradient } = this.simd;
      const size = parameters.length;
      heapParameters.set(parameters);
      heapGradient.set(gradient.subarray(0, size));
      kernels.adamStep(
        heapParameters.byteOffset,
        heapGradient.byteOffset,
        firstMoment.byteOffset,
        secondMoment.byteOffset,
        size,
        learningRate,
        beta1,
        beta2,
        epsilon,
        firstCorrection,
        secondCorrection,
      );
      parameters.set(heapParameters);
      return;
    }
    for (let index = 0; index < parameters.length; index++) {
      const g = gradient[index]!;
      const m = beta1 * firstMoment[index]! + (1 - beta1) * g;
      const v = beta2 * secondMoment[index]! + (1 - beta2) * g * g;
      firstMoment[index] = m;
      secondMoment[index] = v;
      parameters[index]! -= (learningRate * m * firstCorrection) / (Math.sqrt(v * secondCorrection) + epsilon);
    }
  }
}
