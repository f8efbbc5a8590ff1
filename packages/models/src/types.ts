/** Types shared across @fmnist/models: the data the models train on and what training reports. */

/** Model families the package builds. */
export type ModelKind = 'linear' | 'mlp' | 'cnn';

/**
 * Images already normalized (see `normalizeImages` in @fmnist/dataset), row-major, one channel:
 * `images.length === count * rows * cols`. Rows and cols default to 28.
 */
export interface LabeledImages {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  rows?: number;
  cols?: number;
}

/** Learning-rate schedule over the whole run. */
export type LearningRateSchedule = 'constant' | 'cosine';

export interface TrainOptions {
  /** Passes over the training data. Default 1. */
  epochs?: number;
  /** Images per optimizer step. Default 64. */
  batchSize?: number;
  /** Adam's initial learning rate. Default 1e-3. */
  learningRate?: number;
  /** Default 'constant'. 'cosine' decays to 0 over all steps of all epochs after the warm-up. */
  schedule?: LearningRateSchedule;
  /** Epochs (a fraction is allowed) over which the learning rate first rises linearly from 0. Default 0. */
  warmupEpochs?: number;
  /**
   * Label smoothing: the loss is the cross-entropy against targets of 1 - ε on the label and ε / 10 on every class
   * (ε from 0, the default, to below 1). Reported losses stay the plain cross-entropy.
   */
  labelSmoothing?: number;
  /** Held-out data evaluated after every epoch (loss and accuracy), used by early stopping. */
  validation?: LabeledImages;
  /** Stop when validation loss has not improved for `patience` epochs; optionally restore the best weights. */
  earlyStopping?: { patience: number; restoreBest?: boolean };
  /** Random horizontal flips and shifts of up to `maxShift` pixels, drawn from the seeded generator. */
  augmentation?: { flip?: boolean; maxShift?: number };
  /** Seeds shuffling and augmentation. Default 0. */
  seed?: number;
  /** Data-parallel replicas on worker threads: 'auto' = available cores, 1 = train on the calling thread. */
  workers?: 'auto' | number;
  /** Called after each epoch with its figures; may be async. */
  onEpochEnd?: (epoch: EpochResult) => void | Promise<void>;
  /** Called after each optimizer step. */
  onBatchEnd?: (progress: BatchProgress) => void;
  /** Aborting stops training cleanly after the current step; the history so far is returned with `cancelled: true`. */
  signal?: AbortSignal;
}

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  imagesPerSecond: number;
}

export interface EpochResult {
  /** 1-based epoch number. */
  epoch: number;
  loss: number;
  accuracy: number;
  validationLoss?: number;
  validationAccuracy?: number;
  learningRate: number;
  seconds: number;
  imagesPerSecond: number;
}

export interface TrainingHistory {
  epochs: EpochResult[];
  /** 1-based epoch whose weights the model holds when training ends. */
  bestEpoch: number;
  stoppedEarly: boolean;
  cancelled: boolean;
  /** Wall time of training (validation included). */
  seconds: number;
  /** Training images per second over all epochs, validation excluded. */
  imagesPerSecond: number;
  backend: string;
  workers: number;
}
