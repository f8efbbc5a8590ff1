/** Both FashionMNIST splits loaded and prepared for training in one call (Node). */
import { type PreparedSplits, type PrepareOptions, prepareSplits } from '../prepare.js';
import { loadFashionMnist } from './fashion-mnist.js';
import type { LoadOptions } from './load.js';

export interface LoadPreparedOptions extends Omit<LoadOptions, 'split'>, PrepareOptions {}

/**
 * Loads the FashionMNIST training and test splits (from the sources {@link loadFashionMnist} looks at, with the same
 * options) and prepares them with {@link prepareSplits}: optional stratified subsets (`limit`), a stratified
 * validation hold-out (`validationFraction`, default 5000/60000) and pixels standardized with the training images'
 * statistics. Aborting `signal` rejects with its reason.
 */
export async function loadPreparedFashionMnist(options: LoadPreparedOptions): Promise<PreparedSplits> {
  const { limit, validationFraction, seed, ...loadOptions } = options;
  const [train, test] = await Promise.all([
    loadFashionMnist({ ...loadOptions, split: 'train' }),
    loadFashionMnist({ ...loadOptions, split: 'test' }),
  ]);
  return prepareSplits(train, test, { limit, validationFraction, seed });
}
