"""Fit the interview detector's weights on the labelled corpora, measure them, ship them.

Usage: python benchmarks/train_detect.py [--check] [--errors] [--sweep] [--out PATH]

``make train`` runs this. It needs scikit-learn (the ``train`` extra), which the daemon never
imports: the daemon reads the weights this writes to ``syncd/detect_model.json``.

What it prints, all on the four corpora of ``../shared/corpus/``:

- **leave one corpus out**: trained on three writers, tested on the fourth, the best proxy
  here for events written by people nobody here has seen;
- **held out**: one event in five (by a hash of its id) that no choice was made on, tested
  on a model trained on the other four;
- **cross-validated** (5 folds, fixed seed): per corpus, per language (a guess, see
  benchmarks/detect_labels.py) and, for negatives, per kind; then, with ``--errors``, every
  event the cross-validation gets wrong.

``--sweep`` prints the leave-one-corpus-out means for a grid of regularisation and class
weights instead: that is how ``C`` and ``INTERVIEW_WEIGHT`` below were chosen (never on the
held-out fifth, never in-sample).

Then it fits on everything and writes the weights (``--check`` compares instead and exits 1
when the shipped file differs). Same corpora, same seed, same file, bit for bit.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from detect_labels import language, negative_kind  # noqa: E402

from syncd.detect import MODEL_PATH, Detector, Model, Rules  # noqa: E402

CORPUS_DIR = ROOT / ".." / "shared" / "corpus"
CORPORA = ("interviews-dev.jsonl", "interviews-train-a.jsonl", "interviews-train-b.jsonl",
           "interviews-train-c.jsonl")
BUCKETS = 1 << 12
C = 8.0  # inverse regularisation, chosen by leave-one-corpus-out (--sweep; 4 to 16 differ little)
INTERVIEW_WEIGHT = 1.3  # an interview's weight against a non-interview's 1, chosen the same way
SEED = 0
DIGITS = 4  # weights are rounded so that the file is stable and diffs stay readable
FOLDS = 5


@dataclass(frozen=True)
class Data:
    """The corpora as the model sees them."""

    records: list[dict]
    matrix: csr_matrix
    labels: np.ndarray
    cue_keys: list[str]  # column BUCKETS + i is cue_keys[i]


def load_records(directory: Path = CORPUS_DIR) -> list[dict]:
    """Every labelled event of the four corpora, each with its corpus name as ``set``."""
    records = []
    for name in CORPORA:
        with (directory / name).open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    records.append({**json.loads(line), "set": name.split("-", 1)[1][:-6]})
    return records


def featurize(records: Sequence[dict]) -> Data:
    """Read every record through the daemon's own feature code."""
    blank = Model(0.0, {}, (0.0,) * BUCKETS)
    rows: list[tuple[list[str], dict[int, float]]] = []
    for r in records:
        detector = Detector(Rules(self_addresses=(r["self"],) if r.get("self") else ()),
                            model=blank)
        rows.append(detector.features(r.get("summary", ""), r.get("description", ""),
                                      r.get("location", ""), r.get("organizer", ""),
                                      r.get("attendees", [])))
    cue_keys = sorted({key for keys, _ in rows for key in keys})
    column = {key: BUCKETS + i for i, key in enumerate(cue_keys)}
    data, indices, indptr = [], [], [0]
    for keys, values in rows:
        cells = dict(values)
        cells.update((column[k], 1.0) for k in keys)
        for index in sorted(cells):
            indices.append(index)
            data.append(cells[index])
        indptr.append(len(indices))
    matrix = csr_matrix((data, indices, indptr), shape=(len(rows), BUCKETS + len(cue_keys)))
    labels = np.array([bool(r["interview"]) for r in records])
    return Data(list(records), matrix, labels, cue_keys)


def fit(matrix: csr_matrix, labels: np.ndarray, c: float = C,
        interview_weight: float = INTERVIEW_WEIGHT) -> LogisticRegression:
    """The logistic regression, with a fixed seed and a solver free of threading."""
    model = LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=1000,
                               class_weight={False: 1.0, True: interview_weight})
    return model.fit(matrix, labels)


def held_out(record: dict) -> bool:
    """One event in five, chosen by its id, never trained on when measuring."""
    return zlib.crc32(str(record["id"]).encode()) % 5 == 0


# --- Measuring -----------------------------------------------------------------------------


def cross_validated(data: Data) -> np.ndarray:
    """Each event's prediction by a model that did not see it (5 stratified folds)."""
    predicted = np.zeros(len(data.labels), dtype=bool)
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train, test in folds.split(data.matrix, data.labels):
        predicted[test] = fit(data.matrix[train], data.labels[train]).predict(data.matrix[test])
    return predicted


def predicted_by_split(data: Data, is_test: Callable[[dict], bool],
                       **settings: float) -> tuple[np.ndarray, np.ndarray]:
    """Train where ``is_test`` is false, predict where it is true: (test mask, predictions).

    ``settings`` are :func:`fit`'s keyword arguments (its defaults when none)."""
    test = np.array([is_test(r) for r in data.records])
    model = fit(data.matrix[~test], data.labels[~test], **settings)
    return test, model.predict(data.matrix[test])


def leave_one_corpus_out(data: Data, **settings: float) -> dict[str, tuple[float, float]]:
    """Precision and recall on each corpus, trained on the others."""
    found = {}
    for name in dict.fromkeys(r["set"] for r in data.records):
        test, predicted = predicted_by_split(data, lambda r, name=name: r["set"] == name,
                                             **settings)
        found[name] = precision_recall(data.labels[test], predicted)
    return found


def sweep(data: Data) -> list[str]:
    """Leave-one-corpus-out means over a grid of regularisation and interview weight."""
    lines = ["leave one corpus out, mean over the corpora, by setting",
             f"  {'C':>5} {'interview weight':>16} {'precision':>9} {'recall':>6}"]
    for c in (1.0, 2.0, 4.0, 8.0, 16.0):
        for weight in (1.0, 1.3, 1.6):
            scores = leave_one_corpus_out(data, c=c, interview_weight=weight).values()
            lines.append(f"  {c:>5g} {weight:>16g} {np.mean([p for p, _ in scores]):>9.3f} "
                         f"{np.mean([r for _, r in scores]):>6.3f}")
    return lines


def precision_recall(labels: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """Precision and recall on ``interview``; 1.0 where nothing was there to get wrong."""
    tp = int(np.sum(labels & predicted))
    fp = int(np.sum(~labels & predicted))
    fn = int(np.sum(labels & ~predicted))
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def groups(records: Sequence[dict], key: Callable[[dict], str]) -> dict[str, list[int]]:
    """Indexes of the records by ``key``, the biggest group first."""
    found: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        found[key(record)].append(i)
    return dict(sorted(found.items(), key=lambda item: (-len(item[1]), item[0])))


def table(title: str, data: Data, predicted: np.ndarray,
          key: Callable[[dict], str]) -> list[str]:
    """Rows of precision and recall per group."""
    lines = [title, f"  {'group':<26} {'events':>6} {'interviews':>10} {'precision':>9} "
                    f"{'recall':>6}"]
    for name, idx in groups(data.records, key).items():
        p, r = precision_recall(data.labels[idx], predicted[idx])
        lines.append(f"  {name:<26} {len(idx):>6} {int(data.labels[idx].sum()):>10} "
                     f"{p:>9.3f} {r:>6.3f}")
    return lines


def negatives_table(data: Data, predicted: np.ndarray) -> list[str]:
    """How often each kind of non-interview is wrongly flagged."""
    lines = ["cross-validated, negatives by kind (false-positive rate)"]
    negatives = [i for i, r in enumerate(data.records) if not r["interview"]]
    by_kind = groups([data.records[i] for i in negatives], negative_kind)
    for kind, idx in by_kind.items():
        wrong = sum(bool(predicted[negatives[i]]) for i in idx)
        lines.append(f"  {kind:<26} {len(idx):>6}  flagged {wrong:>3}  ({wrong / len(idx):.3f})")
    return lines


def report(data: Data, errors: bool) -> list[str]:
    """Every table the module docstring promises."""
    lines = ["leave one corpus out (train on three writers, test on the fourth)"]
    sizes = groups(data.records, lambda rec: rec["set"])
    for name, (p, r) in leave_one_corpus_out(data).items():
        lines.append(f"  {name:<26} {len(sizes[name]):>6} precision {p:.3f} recall {r:.3f}")
    test, predicted = predicted_by_split(data, held_out)
    p, r = precision_recall(data.labels[test], predicted)
    lines.append(f"held out (1 in 5 by id)       {int(test.sum()):>6} precision {p:.3f} "
                 f"recall {r:.3f}")
    cv = cross_validated(data)
    p, r = precision_recall(data.labels, cv)
    lines.append(f"cross-validated ({FOLDS} folds), all {len(cv):>6} precision {p:.3f} "
                 f"recall {r:.3f}")
    lines += table("cross-validated, per corpus", data, cv, lambda rec: rec["set"])
    lines += table("cross-validated, per language (guessed)", data, cv, language)
    lines += negatives_table(data, cv)
    if errors:
        lines.append("cross-validated mistakes")
        lines += [f"  {'missed' if r['interview'] else 'false '} {r['id']:<6} "
                  f"{language(r)} {r['summary'][:80]!r}"
                  for r, wrong in zip(data.records, cv != data.labels) if wrong]
    return lines


# --- The weights file ----------------------------------------------------------------------


def weights_document(data: Data, model: LogisticRegression) -> str:
    """The shipped weights as JSON text: bias, named cues, then the n-gram buckets."""
    coef = model.coef_[0]
    cues = {key: round(float(coef[BUCKETS + i]), DIGITS) for i, key in enumerate(data.cue_keys)}
    document = {
        "about": "Interview detector weights, written by `make train` "
                 "(benchmarks/train_detect.py); do not edit by hand.",
        "trained_on": list(CORPORA),
        "events": len(data.records),
        "regularisation_C": C,
        "interview_weight": INTERVIEW_WEIGHT,
        "bias": round(float(model.intercept_[0]), DIGITS),
        "cues": dict(sorted(cues.items(), key=lambda kv: -abs(kv[1]))),
        "ngrams": [round(float(w), DIGITS) or 0.0 for w in coef[:BUCKETS]],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def options(doc: str, default_out: Path) -> argparse.ArgumentParser:
    """The options both training scripts take: --check, --errors, --no-report, --out."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file")
    parser.add_argument("--errors", action="store_true", help="list the mistakes")
    parser.add_argument("--no-report", action="store_true", help="only fit and write")
    parser.add_argument("--out", type=Path, default=default_out)
    return parser


def ship(text: str, out: Path, check: bool) -> int:
    """Write the weights file (or, with ``check``, compare it); the exit code."""
    if check:
        same = out.exists() and out.read_text("utf-8") == text
        print(f"{out}: {'matches' if same else 'DIFFERS FROM'} retraining on the corpora")
        return 0 if same else 1
    out.write_text(text, "utf-8")
    print(f"wrote {out} ({len(text.encode()):,} bytes)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, then write (or, with --check, compare) the weights file."""
    parser = options(__doc__ or "", MODEL_PATH)
    parser.add_argument("--sweep", action="store_true",
                        help="print leave-one-corpus-out means by setting, then stop")
    args = parser.parse_args(argv)
    data = featurize(load_records())
    if args.sweep:
        print("\n".join(sweep(data)))
        return 0
    if not args.no_report:
        print("\n".join(report(data, args.errors)))
    return ship(weights_document(data, fit(data.matrix, data.labels)), args.out, args.check)


if __name__ == "__main__":
    raise SystemExit(main())
