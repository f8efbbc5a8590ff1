/**
 * The demo page: loads a model bundle written by `fmnist export`, classifies FashionMNIST test images and what the
 * visitor draws or drops, and shows the study's figures. It uses only the packages' public entries.
 * Query parameters: `model` (bundle URL, default ./model/), `data` (folder holding the t10k IDX files, default
 * ./data/), `samples` (test images shown, default 12), `report` (a run's report folder, to show its figures),
 * `backend` (wasm, the default, falling back to cpu; or cpu).
 */
import { loadFashionMnist } from '@fmnist/dataset';
import { type Classifier, createClassifier, type Prediction } from '@fmnist/models';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { getBackend, setBackend } from '@tensorflow/tfjs-core';
import './style.css';

interface DemoResult {
  /** Milliseconds from navigation start until the first test image's prediction was on screen. */
  firstPredictionMs?: number;
  /** Test images classified per second in batches of 100, after one warm-up batch. */
  imagesPerSecond?: number;
  /** The tfjs backend that ran the model. */
  backend?: string;
  error?: string;
}

declare global {
  interface Window {
    fmnistDemo: DemoResult;
  }
}

const result: DemoResult = {};
window.fmnistDemo = result;

const params = new URLSearchParams(location.search);
const modelUrl = params.get('model') ?? './model/';
const dataUrl = params.get('data') ?? './data/';
const reportUrl = params.get('report');
const backendChoice = params.get('backend') === 'cpu' ? 'cpu' : 'wasm';
const sampleCount = Math.max(0, Math.min(100, Number(params.get('samples') ?? 12) || 0));

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page lacks #${id}`);
  return found as T;
}

const status = element<HTMLParagraphElement>('status');

function showError(message: string) {
  const box = element<HTMLDivElement>('error');
  const line = document.createElement('p');
  line.textContent = message;
  box.append(line);
  box.hidden = false;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function facts(listId: string, entries: [string, string][]) {
  const list = element<HTMLDListElement>(listId);
  list.replaceChildren(
    ...entries.flatMap(([term, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      return [dt, dd];
    }),
  );
}

function percent(probability: number): string {
  return `${(probability * 100).toFixed(1)}%`;
}

/** Paints 28x28 grey bytes onto a small canvas. */
function greyCanvas(pixels: Uint8Array): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = 28;
  canvas.height = 28;
  const context = canvas.getContext('2d');
  if (context) {
    const image = context.createImageData(28, 28);
    pixels.forEach((grey, index) => {
      image.data.set([grey, grey, grey, 255], index * 4);
    });
    context.putImageData(image, 0, 0);
  }
  return canvas;
}

function describeModel(classifier: Classifier) {
  const metadata = classifier.metadata as Classifier['metadata'] & { versions?: Record<string, string> };
  const entries: [string, string][] = [
    ['kind', metadata.kind],
    ['parameters', metadata.parameters.toLocaleString('en')],
    ['classes', classifier.classNames.join(', ')],
  ];
  if (metadata.test)
    entries.push(['test accuracy', `${percent(metadata.test.accuracy)} of ${metadata.test.count} images`]);
  const models = metadata.versions?.['@fmnist/models'] ?? metadata.packageVersion;
  entries.push(['versions', `@fmnist/models ${models}, tfjs ${metadata.tfjsVersion}`]);
  facts('model-facts', entries);
  element('model').hidden = false;
}

async function showSamples(classifier: Classifier) {
  const test = await loadFashionMnist({ split: 'test', mirrors: [new URL(dataUrl, location.href).href] });
  const pixels = test.rows * test.cols;
  const container = element<HTMLDivElement>('samples');
  element('samples-section').hidden = false;
  for (let index = 0; index < Math.min(sampleCount, test.count); index++) {
    const image = test.images.subarray(index * pixels, (index + 1) * pixels);
    const label = test.labels[index] as number;
    const [best, ...rest] = await classifier.classify(image, { topK: 3 });
    if (!best) continue;
    const figure = document.createElement('figure');
    figure.className = best.classIndex === label ? 'sample' : 'sample wrong';
    Object.assign(figure.dataset, {
      index: String(index),
      label: String(label),
      classIndex: String(best.classIndex),
      probability: String(best.probability),
      top: JSON.stringify([best, ...rest]),
    });
    const caption = document.createElement('figcaption');
    caption.textContent = `${best.className} ${percent(best.probability)} (true: ${classifier.classNames[label]})`;
    figure.append(greyCanvas(image), caption);
    container.append(figure);
    result.firstPredictionMs ??= performance.now();
  }
  return test;
}

async function measureSpeed(classifier: Classifier, images: Uint8Array, count: number) {
  const batch = Array.from({ length: Math.min(100, count) }, (_, i) => images.subarray(i * 784, (i + 1) * 784));
  if (batch.length === 0) return;
  await classifier.classifyMany(batch);
  let classified = 0;
  const started = performance.now();
  while (classified < 1000 && performance.now() - started < 2000) {
    await classifier.classifyMany(batch);
    classified += batch.length;
  }
  result.imagesPerSecond = classified / ((performance.now() - started) / 1000);
  result.backend = getBackend();
  facts('stats-facts', [
    ['page load to first prediction', `${Math.round(result.firstPredictionMs ?? 0)} ms`],
    [
      'inference',
      `${Math.round(result.imagesPerSecond)} images/s (batches of ${batch.length}, tfjs ${result.backend} backend)`,
    ],
  ]);
  element('stats').hidden = false;
}

function showTop3(predictions: Prediction[]) {
  element<HTMLOListElement>('top3').replaceChildren(
    ...predictions.map((prediction) => {
      const item = document.createElement('li');
      item.textContent = `${prediction.className} ${percent(prediction.probability)}`;
      item.dataset.probability = String(prediction.probability);
      return item;
    }),
  );
}

function setUpPad(classifier: Classifier) {
  const pad = element<HTMLCanvasElement>('pad');
  const context = pad.getContext('2d', { willReadFrequently: true });
  if (!context) return;
  const clear = () => {
    context.fillStyle = '#000';
    context.fillRect(0, 0, pad.width, pad.height);
    element('top3').replaceChildren();
  };
  const classify = async () => showTop3(await classifier.classify(pad));
  clear();
  context.strokeStyle = '#fff';
  context.lineWidth = 24;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  let drawing = false;
  const point = (event: PointerEvent) => {
    const box = pad.getBoundingClientRect();
    return [
      ((event.clientX - box.left) * pad.width) / box.width,
      ((event.clientY - box.top) * pad.height) / box.height,
    ];
  };
  pad.addEventListener('pointerdown', (event) => {
    drawing = true;
    pad.setPointerCapture(event.pointerId);
    const [x = 0, y = 0] = point(event);
    context.beginPath();
    context.moveTo(x, y);
    context.lineTo(x, y);
    context.stroke();
  });
  pad.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    const [x = 0, y = 0] = point(event);
    context.lineTo(x, y);
    context.stroke();
  });
  pad.addEventListener('pointerup', () => {
    drawing = false;
    classify().catch((error) => showError(`Could not classify the drawing: ${errorText(error)}`));
  });
  element('clear').addEventListener('click', clear);
  const drawFile = async (file: File) => {
    const bitmap = await createImageBitmap(file);
    clear();
    const scale = Math.min(pad.width / bitmap.width, pad.height / bitmap.height);
    const width = bitmap.width * scale;
    const height = bitmap.height * scale;
    context.drawImage(bitmap, (pad.width - width) / 2, (pad.height - height) / 2, width, height);
    await classify();
  };
  const onFile = (file: File | undefined) => {
    if (file) drawFile(file).catch((error) => showError(`Could not read ${file.name}: ${errorText(error)}`));
  };
  element<HTMLInputElement>('file').addEventListener('change', (event) => {
    onFile((event.target as HTMLInputElement).files?.[0]);
  });
  pad.addEventListener('dragover', (event) => event.preventDefault());
  pad.addEventListener('drop', (event) => {
    event.preventDefault();
    onFile(event.dataTransfer?.files[0]);
  });
  element('try').hidden = false;
}

/** Shows the SVG figures a run's report.md links to (written by `fmnist compare` / `fmnist report`). */
async function showFigures(reportBase: string) {
  const base = new URL(reportBase.endsWith('/') ? reportBase : `${reportBase}/`, location.href);
  const response = await fetch(new URL('report.md', base));
  if (!response.ok) throw new Error(`${new URL('report.md', base).href}: HTTP ${response.status}`);
  const markdown = await response.text();
  const container = element<HTMLDivElement>('figures');
  for (const match of markdown.matchAll(/!\[([^\]]*)\]\(([^)\s]+\.svg)\)/g)) {
    const figure = document.createElement('figure');
    const image = document.createElement('img');
    image.src = new URL(match[2] ?? '', base).href;
    image.alt = match[1] ?? '';
    const caption = document.createElement('figcaption');
    caption.textContent = match[1] ?? '';
    figure.append(image, caption);
    container.append(figure);
  }
  element('figures-section').hidden = container.childElementCount === 0;
}

/** WebAssembly kernels (the .wasm files are bundled as assets), else plain JavaScript. */
async function startBackend() {
  if (backendChoice === 'wasm') {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    });
    if (await setBackend('wasm').catch(() => false)) return;
  }
  await setBackend('cpu');
}

async function start() {
  const figures = reportUrl
    ? showFigures(reportUrl).catch((error) => showError(`Could not load the study's figures: ${errorText(error)}`))
    : Promise.resolve();
  let classifier: Classifier;
  try {
    await startBackend();
    classifier = await createClassifier(modelUrl);
  } catch (error) {
    result.error = errorText(error);
    status.textContent = 'The model could not be loaded.';
    showError(`Could not load the model from ${modelUrl}: ${result.error}`);
    document.body.dataset.state = 'error';
    return;
  }
  describeModel(classifier);
  setUpPad(classifier);
  status.textContent = 'Classifying test images…';
  try {
    const test = await showSamples(classifier);
    status.textContent = 'Measuring speed…';
    await measureSpeed(classifier, test.images, test.count);
    status.textContent = `Ready: ${classifier.classNames.length} classes, ${sampleCount} test images shown.`;
  } catch (error) {
    result.error = errorText(error);
    status.textContent = 'The test images could not be loaded; drawing still works.';
    showError(`Could not load the test images from ${dataUrl}: ${result.error}`);
  }
  await figures;
  document.body.dataset.state = result.error ? 'error' : 'ready';
}

start().catch((error) => {
  result.error = errorText(error);
  showError(result.error);
  document.body.dataset.state = 'error';
});
