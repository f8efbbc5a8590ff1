import { describe, expect, it } from 'vitest';
import * as browser from './browser.js';
import * as node from './index.js';

describe('package entries', () => {
  it('the Node entry offers everything the browser entry does, plus only the Node-only functions', () => {
    const nodeOnly = Object.keys(node).filter((name) => !(name in browser));
    expect(nodeOnly.sort()).toEqual(['benchmarkReferenceModel', 'saveModel', 'train']);
  });

  it('exports the very same function under each shared name', () => {
    const nodeExports = new Map(Object.entries(node));
    const different = Object.entries(browser)
      .filter(([name, value]) => nodeExports.get(name) !== value)
      .map(([name]) => name);
    expect(different).toEqual([]);
    expect(node.loadModel).toBe(browser.loadModel);
    expect(node.predict).toBe(browser.predict);
    expect(node.evaluate).toBe(browser.evaluate);
  });
});
