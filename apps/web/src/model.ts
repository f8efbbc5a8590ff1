/**
 * The one place that decides which model the page runs: a model shipped in @fmnist/pretrained (`?model=cnn`, the
 * default, or `?model=linear`), or any other value as the URL of a bundle written by `fmnist export`.
 */
import { type Classifier, createClassifier } from '@fmnist/models';
import { loadPretrained, PRETRAINED_MODELS, type PretrainedModelName, pretrainedInfo } from '@fmnist/pretrained';

export interface DemoModel {
  classifier: Classifier;
  /** Where the model came from, for the page's facts and messages. */
  source: string;
  /** What the page lists about the model beyond its metadata (a pretrained model's training command, weights). */
  facts: [string, string][];
}

function isPretrainedName(choice: string): choice is PretrainedModelName {
  return (PRETRAINED_MODELS as readonly string[]).includes(choice);
}

/** Loads the model the query asks for; errors name the source. */
export async function loadDemoModel(choice: string | null): Promise<DemoModel> {
  const wanted = choice ?? 'cnn';
  if (isPretrainedName(wanted)) {
    const info = pretrainedInfo(wanted);
    const source = `@fmnist/pretrained, model '${wanted}'`;
    try {
      const classifier = await loadPretrained(wanted);
      return {
        classifier,
        source,
        facts: [
          ['trained with', info.command],
          [
            'shipped weights',
            `${info.quantization.encoding}, ${info.weightBytes.shipped.toLocaleString('en')} bytes, ` +
              `${(info.test.shipped.accuracy * 100).toFixed(2)}% test accuracy`,
          ],
        ],
      };
    } catch (error) {
      throw new Error(`Could not load ${source}: ${error instanceof Error ? error.message : error}`, { cause: error });
    }
  }
  try {
    return { classifier: await createClassifier(wanted), source: wanted, facts: [] };
  } catch (error) {
    throw new Error(`Could not load the model from ${wanted}: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }
}
