/** Runtime detection, checked once. */

/** True in Node (and its worker threads); false in browsers and web workers. */
export const isNode: boolean = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
