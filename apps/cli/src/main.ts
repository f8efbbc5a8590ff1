/** Entry of the `fmnist` binary: registers the commands and runs the one asked for. */
import { defineCommand, runMain } from 'citty';
import { version } from '../package.json';

const main = defineCommand({
  meta: { name: 'fmnist', version, description: 'FashionMNIST in JavaScript: data, models and the linear-versus-CNN study' },
  subCommands: {
    data: () => import('./commands/data.js').then((m) => m.default),
  },
});

runMain(main);
