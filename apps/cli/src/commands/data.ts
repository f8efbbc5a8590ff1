/** `fmnist data`: inspect, download and verify the dataset. */
import { defineCommand } from 'citty';

export default defineCommand({
  meta: { name: 'data', description: 'Inspect, download and verify the FashionMNIST files' },
  subCommands: {
    // info, download, verify: one file each under ./data/
  },
});
