/**
 * The demo page: classifies what the visitor draws, drops, pastes or picks (top 3 with bars), shows FashionMNIST test
 * images with their predictions, and the study's figures. It uses only the packages' public entries.
 * Query parameters: `model` (see model.ts), `data` (folder holding the t10k IDX files, default ./data/), `samples`
 * (test images shown, default 12), `report` (a run's report folder, to show its figures), `backend` (wasm, the
 * default, falling back to cpu; or cpu).
 */
import { type RgbaImage, toFashionMnistImage } from '@fmnist/dataset';
import {
  type Classifier,
  type Prediction,
  selectBackend,
  type TestTimeAugmentation,
  testTimeViews,
} from '@fmnist/models';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { getBackend } from '@tensorflow/tfjs-core';
import type { DemoResult } from './demo-result.js';
import { loadDemoModel } from './model.js';
import { canvasPixels, decodePictureFile, fileLabel, PictureError } from './picture.js';
import { loadTestSplit } from './test-images.js';
import './style.css';

const result: DemoResult = {};
window.fmnistDemo = result;

const params = new URLSearchParams(location.search);
const modelChoice = params.get('model');
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

/** Paints 28x28 grey bytes onto `canvas` (a new one when none is given). */
function paintGrey(pixels: Uint8Array, canvas = document.createElement('canvas')): HTMLCanvasElement {
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

/** The views of a picture the model classifies, in words: the picture alone, or the picture and its copies. */
function viewsText(augmentation: TestTimeAugmentation | undefined): string {
  if (augmentation === undefined || testTimeViews(augmentation).length === 1) return 'the picture alone';
  const { flip, shift } = augmentation;
  const shifted = shift > 0 ? ` and copies moved ${shift} pixel${shift === 1 ? '' : 's'} up, down, left and right` : '';
  const mirrored = flip ? (shift > 0 ? ', each also mirrored' : ' and its mirror image') : '';
  return `the picture${shifted}${mirrored}`;
}

function describeModel(classifier: Classifier, source: string, extraFacts: [string, string][]) {
  const metadata = classifier.metadata as Classifier['metadata'] & { versions?: Record<string, string> };
  const entries: [string, string][] = [
    ['source', source],
    ['kind', metadata.kind],
    ['parameters', metadata.parameters.toLocaleString('en')],
    ['classes', classifier.classNames.join(', ')],
  ];
  // The views of each picture whose probabilities the classifier averages (its test-time augmentation).
  const views = testTimeViews(classifier.testTimeAugmentation).length;
  const seen = viewsText(classifier.testTimeAugmentation);
  result.views = views;
  entries.push(['views per picture', `${views} (${seen}${views === 1 ? '' : ', probabilities averaged'})`]);
  // Under each answer, a line says so when there is more than the picture itself.
  const note = element<HTMLParagraphElement>('views');
  note.textContent = `Averaged over ${views} views: ${seen}.`;
  note.hidden = views === 1;
  if (metadata.test)
    entries.push(['test accuracy', `${percent(metadata.test.accuracy)} of ${metadata.test.count} images`]);
  const models = metadata.versions?.['@fmnist/models'] ?? metadata.packageVersion;
  entries.push(['versions', `@fmnist/models ${models}, tfjs ${metadata.tfjsVersion}`], ...extraFacts);
  facts('model-facts', entries);
  element('model').hidden = false;
}

function notePrediction() {
  result.firstPredictionMs ??= performance.now();
}

async function showSamples(classifier: Classifier) {
  const { split: test, fromCache } = await loadTestSplit(new URL(dataUrl, location.href).href);
  result.testImagesFromCache = fromCache;
  const pixels = test.rows * test.cols;
  const count = Math.min(sampleCount, test.count);
  const images = Array.from({ length: count }, (_, index) =>
    test.images.subarray(index * pixels, (index + 1) * pixels),
  );
  const tops = await classifier.classifyMany(images, { topK: 3 });
  const container = element<HTMLDivElement>('samples');
  element('samples-section').hidden = count === 0;
  tops.forEach((top, index) => {
    const best = top[0] as Prediction;
    const label = test.labels[index] as number;
    const figure = document.createElement('figure');
    figure.className = best.classIndex === label ? 'sample' : 'sample wrong';
    Object.assign(figure.dataset, {
      index: String(index),
      label: String(label),
      classIndex: String(best.classIndex),
      probability: String(best.probability),
      top: JSON.stringify(top),
    });
    const caption = document.createElement('figcaption');
    caption.textContent = `${best.className} ${percent(best.probability)} (true: ${classifier.classNames[label]})`;
    figure.append(paintGrey(images[index] as Uint8Array), caption);
    container.append(figure);
  });
  if (count > 0) notePrediction();
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
  facts('stats-facts', [
    ['page load to first prediction', `${Math.round(result.firstPredictionMs ?? 0)} ms`],
    [
      'inference',
      `${Math.round(result.imagesPerSecond)} images/s (batches of ${batch.length}, ` +
        `${result.views === 1 ? 'one view' : `${result.views} views`} each, tfjs ${result.backend} backend)`,
    ],
    ['test images', result.testImagesFromCache ? 'from the browser cache' : 'fetched (cached for the next visit)'],
  ]);
  element('stats').hidden = false;
}

/** The top 3 with bars, for the picture named `source` ('drawing' or a file name), and what the model saw. */
function showTop3(predictions: Prediction[], input: Uint8Array, source: string) {
  const list = element<HTMLOListElement>('top3');
  list.replaceChildren(
    ...predictions.map((prediction) => {
      const item = document.createElement('li');
      item.dataset.probability = String(prediction.probability);
      item.dataset.classIndex = String(prediction.classIndex);
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = prediction.className;
      const bar = document.createElement('span');
      bar.className = 'bar';
      const fill = document.createElement('span');
      fill.style.width = percent(prediction.probability);
      bar.append(fill);
      const value = document.createElement('span');
      value.className = 'value';
      value.textContent = percent(prediction.probability);
      item.append(name, bar, value);
      return item;
    }),
  );
  list.dataset.source = source;
  paintGrey(input, element<HTMLCanvasElement>('seen'));
  element('seen-caption').textContent = `What the model sees of ${source === 'drawing' ? 'your drawing' : source}`;
  element('result').hidden = false;
  notePrediction();
}

function setUpPictures(classifier: Classifier) {
  const pad = element<HTMLCanvasElement>('pad');
  const context = pad.getContext('2d', { willReadFrequently: true });
  if (!context) return;
  const pictureError = element<HTMLParagraphElement>('picture-error');
  const showPictureError = (message: string) => {
    pictureError.textContent = message;
    pictureError.hidden = false;
  };
  /** True while the pad shows a dropped or picked picture: the next stroke starts a new drawing. */
  let showingPicture = false;
  const clear = () => {
    context.fillStyle = '#000';
    context.fillRect(0, 0, pad.width, pad.height);
    showingPicture = false;
    element('top3').replaceChildren();
    element('result').hidden = true;
  };
  const classify = async (pixels: RgbaImage, source: string) => {
    const input = toFashionMnistImage(pixels);
    showTop3(await classifier.classify(input), input, source);
    pictureError.hidden = true;
  };
  clear();
  context.strokeStyle = '#fff';
  context.lineWidth = 28;
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
    if (showingPicture) clear();
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
    classify(canvasPixels(pad), 'drawing').catch((error) =>
      showPictureError(`Could not classify the drawing: ${errorText(error)}`),
    );
  });
  element('clear').addEventListener('click', clear);

  /** Classifies a file's own pixels (as `fmnist predict` reads them) and shows it, shrunk, on the pad. */
  const classifyFile = async (file: File) => {
    const { bitmap, pixels } = await decodePictureFile(file);
    try {
      clear();
      const scale = Math.min(pad.width / bitmap.width, pad.height / bitmap.height);
      const width = bitmap.width * scale;
      const height = bitmap.height * scale;
      context.drawImage(bitmap, (pad.width - width) / 2, (pad.height - height) / 2, width, height);
      showingPicture = true;
    } finally {
      bitmap.close();
    }
    await classify(pixels, fileLabel(file));
  };
  const onFile = (file: File | undefined | null) => {
    if (!file) return;
    classifyFile(file).catch((error) =>
      showPictureError(
        error instanceof PictureError ? error.message : `Could not classify ${fileLabel(file)}: ${errorText(error)}`,
      ),
    );
  };
  element<HTMLInputElement>('file').addEventListener('change', (event) => {
    const input = event.target as HTMLInputElement;
    onFile(input.files?.[0]);
    input.value = '';
  });
  // A file dropped anywhere on the page is classified (instead of the browser opening it).
  document.addEventListener('dragover', (event) => event.preventDefault());
  document.addEventListener('drop', (event) => {
    event.preventDefault();
    const file = event.dataTransfer?.files[0];
    if (file) onFile(file);
    else showPictureError('Nothing to classify was dropped: drop an image file.');
  });
  document.addEventListener('paste', (event) => {
    const file = [...(event.clipboardData?.files ?? [])].find((candidate) => candidate.type.startsWith('image/'));
    if (file) onFile(file);
    else showPictureError('The clipboard holds no image: copy an image itself (not its address) and paste again.');
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

/**
 * WebAssembly kernels with the package's fast kernels, as Node selects them (the .wasm files are bundled as assets,
 * under hashed names, hence the explicit paths), else plain JavaScript.
 */
async function startBackend() {
  if (backendChoice === 'wasm') {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    });
    try {
      await selectBackend('wasm');
      result.backend = getBackend();
      return;
    } catch (error) {
      console.warn(`WebAssembly backend unavailable, using plain JavaScript: ${errorText(error)}`);
    }
  }
  await selectBackend('cpu');
  result.backend = getBackend();
}

async function start() {
  const figures = reportUrl
    ? showFigures(reportUrl).catch((error) => showError(`Could not load the study's figures: ${errorText(error)}`))
    : Promise.resolve();
  let classifier: Classifier;
  try {
    await startBackend();
    const loaded = await loadDemoModel(modelChoice);
    classifier = loaded.classifier;
    describeModel(classifier, loaded.source, loaded.facts);
  } catch (error) {
    result.error = errorText(error);
    status.textContent = 'The model could not be loaded.';
    showError(result.error);
    document.body.dataset.state = 'error';
    return;
  }
  setUpPictures(classifier);
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
