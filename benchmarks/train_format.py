"""Fit the interview-format weights on the labelled corpora, measure them, ship them.

Usage: python benchmarks/train_format.py [--check] [--errors] [--out PATH]

``make train`` runs this after benchmarks/train_detect.py. It needs scikit-learn (the
``train`` extra); the daemon reads the weights it writes to ``syncd/format_model.json``
without it (:mod:`syncd.detect_format`).

It learns from the true interviews of the four corpora of ``../shared/corpus/`` (their
``format`` label) and prints:

- **leave one corpus out**: trained on three writers, tested on the fourth, beside the
  in-sample accuracy of the model fitted on all four; the best proxy here for invitations
  written by people nobody here has seen;
- the **confusion matrix** of those left-out predictions (a wrong in_person costs the owner
  a travel block; a missed one makes them late);
- with ``--errors``, every left-out mistake.

Then it fits on everything and writes the weights (``--check`` compares instead and exits
1 when the shipped file differs). Same corpora, same seed, same file, bit for bit.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, vstack
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from train_detect import load_records, options, ship  # noqa: E402

from syncd.detect import _clean_title, _read_description  # noqa: E402  (the daemon's own readers)
from syncd.detect_format import (FAMILY_FORMAT, FORMAT_MODEL_PATH, FORMATS,  # noqa: E402
                                 format_features, taken_alone)

C = 4.0  # inverse regularisation, chosen by leave-one-corpus-out (1 to 16 differ little)
SEED = 0
DIGITS = 4  # weights are rounded so that the file is stable and diffs stay readable


@dataclass(frozen=True)
class Data:
    """The true interviews as the format model sees them."""

    records: list[dict]
    matrix: csr_matrix
    labels: np.ndarray  # index into FORMATS
    keys: list[str]  # column i is keys[i]
    alone: np.ndarray  # a test taken alone: "unknown" by definition
    titles: csr_matrix  # titles and locations that name their interview's format, alone
    titled: np.ndarray  # the record each row of ``titles`` comes from


def featurize(records: Sequence[dict]) -> Data:
    """Read every true interview through the daemon's own feature code.

    A title or a location that names its interview's format ("Phone screen", "Entrevista
    presencial", "(510) 555-0145") is also read alone, as one more example: it says so
    whatever else the event holds, and the corpora rarely show it with nothing else written.
    """
    interviews = [r for r in records if r["interview"]]
    rows = [format_features(_clean_title(r.get("summary", "")),
                            _read_description(r.get("description", "")), r.get("location", ""))
            for r in interviews]
    alone = [(i, format_features(_clean_title(r.get("summary", "")), "", "")) for i, r in
             enumerate(interviews)]
    alone += [(i, format_features("", "", r.get("location", ""))) for i, r in
              enumerate(interviews)]
    alone = [(i, row) for i, row in alone if _names_its_format(row, interviews[i])]
    keys = sorted({key for row in [*rows, *(row for _, row in alone)] for key in row})
    labels = np.array([FORMATS.index(r["format"]) for r in interviews])
    return Data(interviews, _matrix(rows, keys), labels, keys,
                np.array([taken_alone(row) for row in rows]),
                _matrix([row for _, row in alone], keys), np.array([i for i, _ in alone], dtype=int))


def _names_its_format(features: Sequence[str], record: dict) -> bool:
    """Whether a title's or a location's own features point to the format its interview is
    labelled with."""
    return any(FAMILY_FORMAT.get(key.partition(": ")[2]) == record["format"]
               for key in features if key.startswith(("title: ", "location: ")))


def _matrix(rows: Sequence[Sequence[str]], keys: list[str]) -> csr_matrix:
    """Rows of features as a 0/1 matrix with one column per key."""
    column = {key: i for i, key in enumerate(keys)}
    indices, indptr = [], [0]
    for row in rows:
        indices += sorted({column[key] for key in row})
        indptr.append(len(indices))
    return csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(rows), len(keys)))


def fit(data: Data, rows: np.ndarray) -> LogisticRegression:
    """A multinomial logistic regression on ``rows`` (a mask); lbfgs on this little data is
    deterministic. The tests taken alone are learned from too: they teach what "unknown" is."""
    extra = rows[data.titled]
    matrix = vstack([data.matrix[rows], data.titles[extra]]).tocsr()
    labels = np.concatenate([data.labels[rows], data.labels[data.titled[extra]]])
    model = LogisticRegression(C=C, solver="lbfgs", random_state=SEED, max_iter=5000)
    return model.fit(matrix, labels)


def predict(model: LogisticRegression, data: Data, rows: np.ndarray) -> np.ndarray:
    """Indexes into FORMATS for ``rows`` (a mask), as the daemon decides them."""
    scores = model.decision_function(data.matrix[rows])
    learned = model.classes_[np.argmax(scores, axis=1)]
    return np.where(data.alone[rows], FORMATS.index("unknown"), learned)


def left_out(data: Data) -> np.ndarray:
    """Each interview's format as predicted by a model trained on the other corpora only."""
    predicted = np.zeros(len(data.labels), dtype=int)
    sets = np.array([r["set"] for r in data.records])
    for name in dict.fromkeys(sets):
        test = sets == name
        predicted[test] = predict(fit(data, ~test), data, test)
    return predicted


def accuracy_table(data: Data, columns: dict[str, np.ndarray]) -> list[str]:
    """Accuracy per corpus, one column per way of predicting."""
    lines = ["format accuracy among true interviews (left out = trained on the other corpora)",
             f"  {'corpus':<10} {'interviews':>10}" + "".join(f" {n:>22}" for n in columns)]
    sets = np.array([r["set"] for r in data.records])
    for name in [*dict.fromkeys(sets), "all"]:
        idx = sets == name if name != "all" else np.ones(len(sets), dtype=bool)
        lines.append(f"  {name:<10} {int(idx.sum()):>10}" + "".join(
            f" {np.mean(p[idx] == data.labels[idx]):>22.3f}" for p in columns.values()))
    return lines


def confusion(data: Data, predicted: np.ndarray) -> list[str]:
    """Rows: the labelled format; columns: the predicted one."""
    lines = ["confusion, left out (rows: labelled, columns: predicted)",
             "  " + " " * 10 + "".join(f"{f:>10}" for f in FORMATS)]
    for i, name in enumerate(FORMATS):
        row = [int(np.sum((data.labels == i) & (predicted == j))) for j in range(len(FORMATS))]
        lines.append(f"  {name:<10}" + "".join(f"{n:>10}" for n in row))
    return lines


def report(data: Data, errors: bool) -> list[str]:
    """Every table the module docstring promises."""
    loco = left_out(data)
    everything = np.ones(len(data.labels), dtype=bool)
    learned_only = replace(data, alone=np.zeros(len(data.labels), dtype=bool))
    lines = accuracy_table(data, {
        "left out": loco,
        "in sample": predict(fit(data, everything), data, everything),
        "left out, weights only": left_out(learned_only)})
    lines.append("  (weights only: without the rule that a test taken alone is \"unknown\")")
    lines += confusion(data, loco)
    if errors:
        lines.append("left-out mistakes")
        lines += [f"  {r['id']:<6} {FORMATS[got]:<9} want {r['format']:<9} "
                  f"{r['summary'][:60]!r} | {r.get('location', '')[:40]!r}"
                  for r, got, want in zip(data.records, loco, data.labels) if got != want]
    return lines


def weights_document(data: Data, model: LogisticRegression) -> str:
    """The shipped weights as JSON text: per format, a bias and the features' weights."""
    rows = {FORMATS[c]: i for i, c in enumerate(model.classes_)}

    def weight(values: np.ndarray, fmt: str) -> float:
        return round(float(values[rows[fmt]]), DIGITS) + 0.0 if fmt in rows else -50.0

    document = {
        "about": "Interview format weights, written by `make train` "
                 "(benchmarks/train_format.py); do not edit by hand.",
        "trained_on": sorted({r["set"] for r in data.records}),
        "interviews": len(data.records),
        "regularisation_C": C,
        "formats": list(FORMATS),
        "bias": {f: weight(model.intercept_, f) for f in FORMATS},
        "weights": {key: {f: weight(model.coef_[:, i], f) for f in FORMATS}
                    for i, key in enumerate(data.keys)},
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, then write (or, with --check, compare) the weights file."""
    args = options(__doc__ or "", FORMAT_MODEL_PATH).parse_args(argv)
    data = featurize(load_records())
    if not args.no_report:
        print("\n".join(report(data, args.errors)))
    everything = np.ones(len(data.labels), dtype=bool)
    return ship(weights_document(data, fit(data, everything)), args.out, args.check)

if __name__ == "__main__":
    raise SystemExit(main())
