/**
 * The one place that decides which model the page runs. `?model=URL` loads a bundle written by `fmnist export`
 * (default `./model/`, which `pnpm demo` serves).
 */
import { type Classifier, createClassifier } from '@fmnist/models';

export interface DemoModel {
  classifier: Classifier;
  /** Where the model came from, for messages: a bundle URL. */
  source: string;
}

/** Loads the model the query asks for; errors name the source. */
export async function loadDemoModel(choice: string | null): Promise<DemoModel> {
  const source = choice ?? './model/';
  try {
    return { classifier: await createClassifier(source), source };
  } catch (error) {
    throw new Error(`Could not load the model from ${source}: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }
}
