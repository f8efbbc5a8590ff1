/** What the page reports on `window.fmnistDemo` for its tests and for anyone measuring it. */
export interface DemoResult {
  /** Milliseconds from navigation start until the first prediction was on screen. */
  firstPredictionMs?: number;
  /** Test images classified per second in batches of 100, after one warm-up batch. */
  imagesPerSecond?: number;
  /**
   * Views of each picture the model classifies, their probabilities averaged (the model's test-time augmentation):
   * 10 for `{ flip: true, shift: 1 }`, 1 for the picture alone.
   */
  views?: number;
  /** The tfjs backend that ran the model. */
  backend?: string;
  /** Whether the test images came from the browser's Cache Storage (no request to the server). */
  testImagesFromCache?: boolean;
  error?: string;
}

declare global {
  interface Window {
    fmnistDemo: DemoResult;
  }
}
