/** @fmnist/dataset: FashionMNIST for JavaScript: download, verify, cache and parse the IDX files, in Node and browsers. */
export const PACKAGE_NAME = '@fmnist/dataset';
