/** @fmnist/models: Linear, MLP and CNN models for FashionMNIST on TensorFlow.js: train, evaluate, save, load; fast on CPU without tfjs-node. */
export const PACKAGE_NAME = '@fmnist/models';
export * from './types.js';
