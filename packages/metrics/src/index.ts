/** @fmnist/metrics: Classification metrics and comparison statistics (McNemar, bootstrap) that match scikit-learn. */
export const PACKAGE_NAME = '@fmnist/metrics';
