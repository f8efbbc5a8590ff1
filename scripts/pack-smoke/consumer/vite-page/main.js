// A page bundled by Vite that classifies a canvas with the pretrained CNN; the result goes to window.result.
import { loadPretrained } from '@fmnist/pretrained';
import { trousers } from '../trousers.mjs';

async function run() {
  // The drawing on a 280x280 canvas: each of the 28x28 cells a 10x10 square, light on black.
  const canvas = document.getElementById('drawing');
  const context = canvas.getContext('2d');
  context.fillStyle = 'black';
  context.fillRect(0, 0, 280, 280);
  const image = trousers();
  for (let i = 0; i < 784; i++) {
    if (image[i] === 0) continue;
    context.fillStyle = `rgb(${image[i]}, ${image[i]}, ${image[i]})`;
    context.fillRect((i % 28) * 10, Math.floor(i / 28) * 10, 10, 10);
  }
  const classifier = await loadPretrained('cnn');
  const top = await classifier.classify(canvas, { topK: 3 });
  classifier.dispose();
  return { top: top.map(({ className, probability }) => ({ className, probability })) };
}

run().then(
  (result) => {
    window.result = result;
  },
  (error) => {
    window.result = { error: String(error?.stack ?? error) };
  },
);
