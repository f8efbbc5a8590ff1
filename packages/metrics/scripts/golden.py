"""Golden values for @fmnist/metrics from scikit-learn and scipy.

Run with Debian's Python (it has scikit-learn, scipy and numpy):

    /usr/bin/python3 packages/metrics/scripts/golden.py

It writes src/__fixtures__/golden.json, which src/golden.test.ts compares with the TypeScript results (1e-9).
Every case is drawn from a seeded generator, so reruns give identical files. NaN is written as null.

Two groups are not from a library call, and say so in their "source" field:
- zero_division=nan: scikit-learn 1.2 lacks it, so the values follow scikit-learn >= 1.3's rule (undefined ratios
  are NaN and averages skip them), computed here with numpy from scikit-learn's own per-class counts.
- calibration: scikit-learn has no expected calibration error; the values come from a numpy reference of the
  definition (equal-width bins (lower, upper], argmax confidence).
"""

import json
import warnings
import math
import pathlib

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    log_loss,
    multilabel_confusion_matrix,
    precision_recall_fscore_support,
    top_k_accuracy_score,
)

OUT = pathlib.Path(__file__).resolve().parent.parent / "src" / "__fixtures__" / "golden.json"
rng = np.random.default_rng(20240604)
# The k >= n_classes and underflow warnings are expected: those corners are cases on purpose.
warnings.simplefilter("ignore")


def clean(value):
    """JSON-safe: numpy scalars and arrays to Python, NaN to None."""
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(item) for item in value]
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


def label_case(name, y_true, y_pred, num_classes):
    labels = list(range(num_classes))
    case = {
        "name": name,
        "numClasses": num_classes,
        "yTrue": y_true,
        "yPred": y_pred,
        "accuracy": accuracy_score(y_true, y_pred),
        "confusionMatrix": confusion_matrix(y_true, y_pred, labels=labels),
        "zeroDivision": {},
    }
    for zero_division in (0, 1):
        entry = {}
        for average in ("none", "macro", "micro", "weighted"):
            p, r, f, s = precision_recall_fscore_support(
                y_true,
                y_pred,
                labels=labels,
                average=None if average == "none" else average,
                zero_division=zero_division,
            )
            entry[average] = {"precision": p, "recall": r, "f1": f}
            if average == "none":
                entry[average]["support"] = s
        case["zeroDivision"][str(zero_division)] = entry
    case["zeroDivision"]["nan"] = nan_zero_division(y_true, y_pred, labels)
    # scikit-learn prints "accuracy" only when every label occurs; the TypeScript formatter always does. With no true
    # positive at all, scikit-learn 1.2 prints supports as floats ("2.0"), a quirk not worth copying.
    if set(labels) == set(y_true) | set(y_pred) and case["accuracy"] > 0:
        names = [f"class {label}" for label in labels]
        case["text"] = {
            "digits2": classification_report(y_true, y_pred, labels=labels, zero_division=0),
            "digits4names": classification_report(
                y_true, y_pred, labels=labels, target_names=names, digits=4, zero_division=0
            ),
        }
    return case


def nan_zero_division(y_true, y_pred, labels):
    """scikit-learn >= 1.3's zero_division=np.nan, from scikit-learn's multilabel confusion counts."""
    mcm = multilabel_confusion_matrix(y_true, y_pred, labels=labels)
    tp = mcm[:, 1, 1].astype(float)
    predicted = tp + mcm[:, 0, 1]
    support = tp + mcm[:, 1, 0]

    def divide(numerator, denominator):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denominator == 0, np.nan, numerator / np.where(denominator == 0, 1, denominator))

    precision = divide(tp, predicted)
    recall = divide(tp, support)
    f1 = divide(2 * tp, predicted + support)

    def nanaverage(values, weights=None):
        mask = ~np.isnan(values)
        if not mask.any():
            return np.nan
        if weights is None or weights[mask].sum() == 0:
            return values[mask].mean()
        return np.average(values[mask], weights=weights[mask])

    entry = {"none": {"precision": precision, "recall": recall, "f1": f1, "support": support.astype(int)}}
    entry["macro"] = {key: nanaverage(value) for key, value in entry["none"].items() if key != "support"}
    entry["weighted"] = {key: nanaverage(value, support) for key, value in entry["none"].items() if key != "support"}
    micro = tp.sum() / len(y_true)
    entry["micro"] = {"precision": micro, "recall": micro, "f1": micro}
    return entry


def label_cases():
    cases = [
        # Hand-picked zero-division corners, with 4 classes:
        # class 2 predicted but never true, class 3 neither true nor predicted.
        label_case("absent classes", [0, 0, 1, 1, 1, 0], [0, 2, 1, 1, 0, 2], 4),
        # class 1 true but never predicted.
        label_case("never predicted", [0, 1, 1, 2, 2, 2], [0, 0, 2, 2, 2, 0], 3),
        # every prediction wrong.
        label_case("all wrong", [0, 1, 2, 0, 1, 2], [1, 2, 0, 2, 0, 1], 3),
        # a single sample.
        label_case("one sample", [1], [1], 3),
        label_case("one sample wrong", [2], [0], 3),
        # one class only.
        label_case("one class", [0, 0, 0], [0, 0, 0], 1),
        # all samples the same class, predicted as another.
        label_case("true all one class", [1, 1, 1, 1], [0, 0, 1, 2], 3),
        label_case("perfect", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 10),
    ]
    for index, (num_classes, size) in enumerate([(2, 20), (3, 7), (5, 40), (10, 100), (10, 1000), (12, 15)]):
        y_true = rng.integers(0, num_classes, size)
        # Mostly right, sometimes wrong, so scores spread over (0, 1).
        noise = rng.integers(0, num_classes, size)
        y_pred = np.where(rng.random(size) < 0.6, y_true, noise)
        cases.append(label_case(f"random {index}", y_true.tolist(), y_pred.tolist(), num_classes))
    return cases


def probability_rows(num_rows, num_classes, concentration):
    return rng.dirichlet([concentration] * num_classes, num_rows)


def probability_cases():
    cases = []
    for index, (num_classes, size, concentration) in enumerate([(3, 10, 1.0), (10, 200, 0.3), (10, 50, 3.0), (4, 30, 0.05)]):
        proba = probability_rows(size, num_classes, concentration)
        y_true = rng.integers(0, num_classes, size)
        labels = list(range(num_classes))
        cases.append(
            {
                "name": f"dirichlet {index}",
                "numClasses": num_classes,
                "yTrue": y_true,
                "proba": proba,
                "logLoss": log_loss(y_true, proba, labels=labels),
                "logLossEps1e-3": log_loss(y_true, proba, labels=labels, eps=1e-3),
                "topK": {
                    str(k): top_k_accuracy_score(y_true, proba, k=k, labels=labels) for k in range(1, num_classes + 1)
                },
                "calibration": {str(bins): calibration_reference(y_true, proba, bins) for bins in (5, 15)},
            }
        )
    # Exact zeros and ones (clipping) and ties (scikit-learn's stable sort puts the higher index first).
    patterns = np.array(
        [
            [0.25, 0.25, 0.25, 0.25],
            [0.5, 0.25, 0.25, 0.0],
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 0.5, 0.0, 0.5],
            [0.125, 0.375, 0.375, 0.125],
        ]
    )
    rows = []
    for _ in range(40):
        rows.append(rng.permutation(patterns[rng.integers(0, len(patterns))]))
    proba = np.array(rows)
    y_true = rng.integers(0, 4, len(rows))
    cases.append(
        {
            "name": "ties, zeros and ones",
            "numClasses": 4,
            "yTrue": y_true,
            "proba": proba,
            "logLoss": log_loss(y_true, proba, labels=[0, 1, 2, 3]),
            "logLossEps1e-3": log_loss(y_true, proba, labels=[0, 1, 2, 3], eps=1e-3),
            "topK": {str(k): top_k_accuracy_score(y_true, proba, k=k, labels=[0, 1, 2, 3]) for k in range(1, 5)},
            "calibration": {str(bins): calibration_reference(y_true, proba, bins) for bins in (5, 15)},
        }
    )
    return cases


def calibration_reference(y_true, proba, bins):
    confidence = proba.max(axis=1)
    predicted = proba.argmax(axis=1)
    index = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    result = {"bins": [], "ece": 0.0}
    for b in range(bins):
        mask = index == b
        count = int(mask.sum())
        mean_confidence = confidence[mask].mean() if count else np.nan
        accuracy = (predicted[mask] == y_true[mask]).mean() if count else np.nan
        if count:
            result["ece"] += count / len(y_true) * abs(accuracy - mean_confidence)
        result["bins"].append(
            {"lower": b / bins, "upper": (b + 1) / bins, "count": count, "confidence": mean_confidence, "accuracy": accuracy}
        )
    return result


def mcnemar_cases():
    pairs = [(1, 0), (0, 5), (5, 20), (12, 7), (3, 3), (6, 7), (45, 70), (450, 520), (1000, 1100)]
    pairs += [(9990, 10010), (9950, 10050), (9900, 10100), (9800, 10200), (9500, 10500), (9000, 11000), (10000, 10000)]
    pairs += [(8000, 12000), (3, 19997), (123, 456)]
    cases = [{"b": b, "c": c, "pValue": scipy.stats.binomtest(b, b + c, 0.5).pvalue} for b, c in pairs]
    arrays = []
    for size in (50, 2000):
        y_true = rng.integers(0, 10, size)
        pred_a = np.where(rng.random(size) < 0.85, y_true, rng.integers(0, 10, size))
        pred_b = np.where(rng.random(size) < 0.8, y_true, rng.integers(0, 10, size))
        b = int(((pred_a == y_true) & (pred_b != y_true)).sum())
        c = int(((pred_a != y_true) & (pred_b == y_true)).sum())
        arrays.append(
            {
                "yTrue": y_true,
                "predA": pred_a,
                "predB": pred_b,
                "b": b,
                "c": c,
                "pValue": scipy.stats.binomtest(b, b + c, 0.5).pvalue if b + c else 1.0,
            }
        )
    return {"pairs": cases, "arrays": arrays}


golden = {
    "generator": "packages/metrics/scripts/golden.py",
    "versions": {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__},
    "labels": label_cases(),
    "probabilities": probability_cases(),
    "mcnemar": mcnemar_cases(),
    "source": {
        "zeroDivision.nan": "numpy, following scikit-learn >= 1.3 (scikit-learn 1.2 lacks zero_division=nan)",
        "calibration": "numpy reference of the definition (scikit-learn has no ECE)",
    },
}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(clean(golden), separators=(",", ":")) + "\n")
print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
