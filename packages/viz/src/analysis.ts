/** Numbers the figures and the report derive from a study: confident mistakes, disagreements, confused pairs, gaps. */
import { type Calibration, calibration, mostConfusedPairs } from '@fmnist/metrics';
import type { Study, StudyModel, StudyRobustness, StudyRobustnessCondition } from './study.js';

/** One test image a model got wrong. */
export interface Mistake {
  /** Index into the test set. */
  index: number;
  trueClass: number;
  predictedClass: number;
  /** The model's probability of its (wrong) predicted class. */
  probability: number;
}

/**
 * A model's wrong predictions, most confident first (ties by test index), at most `limit` of them. These are the
 * errors worth looking at: the model was sure and still wrong.
 */
export function mostConfidentMistakes(
  labels: Uint8Array,
  model: Pick<StudyModel, 'predictions' | 'probabilities'>,
  classes: number,
  limit: number,
): Mistake[] {
  const mistakes: Mistake[] = [];
  for (let index = 0; index < labels.length; index++) {
    const predictedClass = model.predictions[index]!;
    const trueClass = labels[index]!;
    if (predictedClass === trueClass) continue;
    mistakes.push({
      index,
      trueClass,
      predictedClass,
      probability: model.probabilities[index * classes + predictedClass]!,
    });
  }
  mistakes.sort((a, b) => b.probability - a.probability || a.index - b.index);
  return mistakes.slice(0, limit);
}

/** One test image two models classify differently, exactly one of them correctly. */
export interface Disagreement {
  index: number;
  trueClass: number;
  /** The prediction and its probability of the model that got it right. */
  right: { predictedClass: number; probability: number };
  /** The prediction and its probability of the model that got it wrong. */
  wrong: { predictedClass: number; probability: number };
}

export interface Disagreements {
  /** Images the challenger gets right and the baseline wrong, the baseline's most confident errors first. */
  challengerOnly: Disagreement[];
  /** Images the baseline gets right and the challenger wrong, the challenger's most confident errors first. */
  baselineOnly: Disagreement[];
  /** Full counts before `limit` (McNemar's `c` and `b`). */
  challengerOnlyCount: number;
  baselineOnlyCount: number;
}

/** Where two models on the same test images disagree in correctness; at most `limit` examples each way. */
export function disagreements(
  labels: Uint8Array,
  baseline: Pick<StudyModel, 'predictions' | 'probabilities'>,
  challenger: Pick<StudyModel, 'predictions' | 'probabilities'>,
  classes: number,
  limit: number,
): Disagreements {
  const challengerOnly: Disagreement[] = [];
  const baselineOnly: Disagreement[] = [];
  const pick = (model: Pick<StudyModel, 'predictions' | 'probabilities'>, index: number) => {
    const predictedClass = model.predictions[index]!;
    return { predictedClass, probability: model.probabilities[index * classes + predictedClass]! };
  };
  for (let index = 0; index < labels.length; index++) {
    const trueClass = labels[index]!;
    const baselineRight = baseline.predictions[index] === trueClass;
    const challengerRight = challenger.predictions[index] === trueClass;
    if (baselineRight === challengerRight) continue;
    const [rightModel, wrongModel, list] = challengerRight
      ? [challenger, baseline, challengerOnly]
      : [baseline, challenger, baselineOnly];
    list.push({ index, trueClass, right: pick(rightModel, index), wrong: pick(wrongModel, index) });
  }
  const byWrongConfidence = (a: Disagreement, b: Disagreement) =>
    b.wrong.probability - a.wrong.probability || a.index - b.index;
  return {
    challengerOnly: challengerOnly.sort(byWrongConfidence).slice(0, limit),
    baselineOnly: baselineOnly.sort(byWrongConfidence).slice(0, limit),
    challengerOnlyCount: challengerOnly.length,
    baselineOnlyCount: baselineOnly.length,
  };
}

/** An off-diagonal confusion-matrix cell, with its share of the true class. */
export interface ConfusedPairShare {
  trueClass: number;
  predictedClass: number;
  count: number;
  /** `count` over the number of test images of the true class. */
  rate: number;
}

/** The `top` most frequent confusions (true class predicted as another), largest count first. */
export function confusedPairs(matrix: readonly (readonly number[])[], top: number): ConfusedPairShare[] {
  return mostConfusedPairs(
    matrix.map((row) => [...row]),
    { top },
  ).map((pair) => {
    const rowTotal = (matrix[pair.trueClass] ?? []).reduce((sum, count) => sum + count, 0);
    return { ...pair, rate: rowTotal === 0 ? 0 : pair.count / rowTotal };
  });
}

/** The model's reliability bins: the study's own when it has them, else computed from its probabilities. */
export function reliability(study: Study, model: StudyModel, bins: number): Calibration {
  if (model.test.calibration) return model.test.calibration;
  return calibration(study.test.labels, model.probabilities, { bins, numClasses: study.classNames.length });
}

/** The first `perClass` test indices of each class, in test-set order, so a sample grid is the same on every run. */
export function classSamples(labels: Uint8Array, classes: number, perClass: number): number[][] {
  const samples: number[][] = Array.from({ length: classes }, () => []);
  for (let index = 0; index < labels.length; index++) {
    const list = samples[labels[index]!];
    if (list && list.length < perClass) list.push(index);
  }
  return samples;
}

/** Classes ranked by F1, worst first. */
export function classesByF1(model: StudyModel): { classIndex: number; f1: number }[] {
  return model.test.report.perClass
    .map((scores, classIndex) => ({ classIndex, f1: scores.f1 }))
    .sort((a, b) => a.f1 - b.f1 || a.classIndex - b.classIndex);
}

/** Accuracy lost from training (and validation) to test, in fractions; undefined where the study lacks the figure. */
export function generalizationGap(model: StudyModel): { trainToTest?: number; validationToTest?: number } {
  const gap: { trainToTest?: number; validationToTest?: number } = {};
  const testAccuracy = model.test.report.accuracy;
  if (model.train) gap.trainToTest = model.train.accuracy - testAccuracy;
  if (model.validation) gap.validationToTest = model.validation.accuracy - testAccuracy;
  return gap;
}

/** The conditions of one transformation family, the clean condition first, as a robustness figure plots them. */
export interface RobustnessFamilyRows {
  family: string;
  conditions: StudyRobustnessCondition[];
}

/** The robustness conditions grouped by family, in the order the families first appear; each group starts clean. */
export function robustnessFamilies(robustness: StudyRobustness): RobustnessFamilyRows[] {
  const clean = robustness.conditions.find((condition) => condition.family === 'clean');
  const groups = new Map<string, StudyRobustnessCondition[]>();
  for (const condition of robustness.conditions) {
    if (condition.family === 'clean') continue;
    const group = groups.get(condition.family) ?? (clean ? [clean] : []);
    group.push(condition);
    groups.set(condition.family, group);
  }
  return [...groups.entries()].map(([family, conditions]) => ({ family, conditions }));
}

/** The condition of `family` at `severity`, if the study has it. */
export function findCondition(
  robustness: StudyRobustness,
  family: string,
  severity: number,
): StudyRobustnessCondition | undefined {
  return robustness.conditions.find((condition) => condition.family === family && condition.severity === severity);
}

/** Accuracy a model loses under `condition` against the clean images, as a fraction (positive = worse). */
export function accuracyDrop(robustness: StudyRobustness, condition: StudyRobustnessCondition, model: string): number {
  const clean = robustness.conditions[0]?.accuracy[model] ?? Number.NaN;
  return clean - (condition.accuracy[model] ?? Number.NaN);
}

/** The largest absolute value of `values` (0 for none). */
export function largestMagnitude(values: ArrayLike<number>): number {
  let largest = 0;
  for (let index = 0; index < values.length; index++) {
    const magnitude = Math.abs(values[index]!);
    if (magnitude > largest) largest = magnitude;
  }
  return largest;
}
