/** Shared internals of the @fmnist packages that need Node: the one atomic writer. */
export {
  previousPathFor,
  recoverInterruptedReplace,
  removeOwnTemporaries,
  removeStaleTemporaries,
  replacePath,
  temporaryPathFor,
  writeFileAtomic,
  writeFileDurably,
  writeFolderAtomic,
  writeJsonAtomic,
} from './atomic.js';
