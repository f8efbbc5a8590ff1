import type { Worker } from 'node:worker_threads';

/** Every worker thread started so far in this test file, oldest first (filled by workers-from-source.ts). */
export const startedWorkers: Worker[] = [];
