/**
 * The FashionMNIST test split for the page, kept in the browser's Cache Storage: the first visit fetches the two
 * files (about 4.4 MB gzipped), a reload reads them from the cache and fetches nothing. Bytes are cached only after
 * their SHA-256 checked out, and cached bytes that no longer check out are dropped and fetched again.
 */
import { type DatasetSplit, decodeFashionMnist, FASHION_MNIST_FILES, mirrorUrl } from '@fmnist/dataset';

/** Bump when the cached content changes meaning; old caches are then left alone and a new one is filled. */
const CACHE_NAME = 'fmnist-demo-test-split-v1';

export interface TestSplit {
  split: DatasetSplit;
  /** True when both files came from Cache Storage, with no request to the server. */
  fromCache: boolean;
  /** Why nothing was cached, when Cache Storage is unavailable (it needs a secure context: https or localhost). */
  cacheUnavailable?: string;
}

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** Loads the test split from `baseUrl` (a folder holding t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz). */
export async function loadTestSplit(baseUrl: string): Promise<TestSplit> {
  const { images, labels } = FASHION_MNIST_FILES.test;
  const urls = { images: mirrorUrl(baseUrl, images.file), labels: mirrorUrl(baseUrl, labels.file) };
  const fetchBoth = async () => ({ images: await fetchBytes(urls.images), labels: await fetchBytes(urls.labels) });

  if (typeof caches === 'undefined') {
    const split = await decodeFashionMnist(await fetchBoth(), { split: 'test' });
    return { split, fromCache: false, cacheUnavailable: 'Cache Storage needs a secure context (https or localhost)' };
  }
  const cache = await caches.open(CACHE_NAME);
  const [cachedImages, cachedLabels] = await Promise.all([cache.match(urls.images), cache.match(urls.labels)]);
  if (cachedImages && cachedLabels) {
    try {
      const bytes = { images: await cachedImages.arrayBuffer(), labels: await cachedLabels.arrayBuffer() };
      return { split: await decodeFashionMnist(bytes, { split: 'test' }), fromCache: true };
    } catch {
      // Damaged or outdated copies: drop them and fetch fresh ones below.
      await Promise.all([cache.delete(urls.images), cache.delete(urls.labels)]);
    }
  }
  const bytes = await fetchBoth();
  const split = await decodeFashionMnist(bytes, { split: 'test' });
  await Promise.all([
    cache.put(urls.images, new Response(bytes.images)),
    cache.put(urls.labels, new Response(bytes.labels)),
  ]);
  return { split, fromCache: false };
}
