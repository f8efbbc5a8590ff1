/** Versions of the packages a run used, for run.json and model metadata. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { version as cliVersion } from '../package.json';

const PACKAGES = [
  '@fmnist/dataset',
  '@fmnist/metrics',
  '@fmnist/models',
  '@fmnist/viz',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
];

/** `{ name: version }` for the CLI, Node and every package above that resolves from here. */
export function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = { '@fmnist/cli': cliVersion, node: process.versions.node };
  for (const name of PACKAGES) {
    try {
      const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string };
      versions[name] = manifest.version;
    } catch {
      // Not installed (tfjs-node is optional) or its exports hide package.json.
    }
  }
  return versions;
}
