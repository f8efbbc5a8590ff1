import { describe, expect, it } from 'vitest';
import * as browser from './browser.js';
import * as node from './index.js';

describe('package entries', () => {
  it('the Node entry offers everything the browser entry does, plus only the Node-only functions', () => {
    const nodeOnly = Object.keys(node).filter((name) => !(name in browser));
    expect(nodeOnly.sort()).toEqual(['benchmarkReferenceModel', 'saveModel', 'train']);
  });

  it('loadModel reads URLs in the browser entry and directories too in the Node entry', () => {
    expect(browser.loadModel).toBe(browser.loadModelFromUrl);
    expect(node.loadModel).not.toBe(browser.loadModel);
    expect(node.createModel).toBe(browser.createModel);
  });
});
