/** `fmnist data`: inspect, download and verify the dataset. */
import { defineCommand } from 'citty';

export default defineCommand({
  meta: { name: 'data', description: 'Inspect, download and verify the FashionMNIST files' },
  subCommands: {
    info: () => import('./data/info.js').then((m) => m.default),
    download: () => import('./data/download.js').then((m) => m.default),
    verify: () => import('./data/verify.js').then((m) => m.default),
  },
});
