/** What the page reports on `window.fmnistDemo` for its tests and for anyone measuring it. */
export interface DemoResult {
  /** Milliseconds from navigation start until the first prediction was on screen. */
  firstPredictionMs?: number;
  /** Test images classified per second in batches of 100, after one warm-up batch. */
  imagesPerSecond?: number;
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
