"""Fit the company ranker on the labelled corpora, measure it, ship its weights.

Usage: python benchmarks/train_company.py [--check] [--errors] [--out PATH]

``make train`` runs this after ``train_detect.py``. For every true interview of the four
corpora, :func:`syncd.detect_company.candidates` lists the names the event might mean, each
with its features; a candidate is right when it equals the label. A logistic regression
(scikit-learn, fixed seed) learns which features make the right one; the daemon takes the
best-scoring candidate, with the weights this writes to ``syncd/company_model.json``.

It prints company accuracy (the best candidate equals the label) among the true interviews:
leave one corpus out (trained on three writers, tested on the fourth), then in-sample.
Same corpora, same seed, same file, bit for bit.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from train_detect import CORPORA, load_records, options, ship  # noqa: E402

from syncd.detect import Detector, Rules, _clean_title, _read_description  # noqa: E402
from syncd.detect_company import (  # noqa: E402
    MODEL_PATH,
    CompanyModel,
    Features,
    candidates,
    choose,
    feature_names,
    names_in_full,
    sender_domain,
)

C = 0.3  # inverse regularisation, chosen by leave-one-corpus-out (0.1 to 3 differ little)
SEED = 0
DIGITS = 4


@dataclass(frozen=True)
class Event:
    """One true interview as the ranker sees it: its candidates and its label."""

    record: dict
    names: list[str]
    features: list[Features]
    domain: str  # the sending company's domain, "" when none

    @property
    def label(self) -> str:
        return str(self.record["company"])


def read_events(records: Sequence[dict]) -> list[Event]:
    """The true interviews, read through the daemon's own candidate code."""
    events = []
    for r in records:
        if not r["interview"]:
            continue
        detector = Detector(Rules(self_addresses=(r["self"],) if r.get("self") else ()))
        parties = detector.parties(r.get("organizer", ""), r.get("attendees", []))
        found = candidates(_clean_title(r.get("summary", "")),
                           _read_description(r.get("description", "")),
                           r.get("location", "") or "", parties, r.get("attendees", []))
        events.append(Event(r, list(found), list(found.values()), sender_domain(parties)))
    return events


def matrix(events: Sequence[Event], keys: list[str]) -> tuple[csr_matrix, np.ndarray]:
    """One row per candidate, and whether it is the label."""
    column = {key: i for i, key in enumerate(keys)}
    data, indices, indptr, labels = [], [], [0], []
    for event in events:
        for name, features in zip(event.names, event.features):
            for key in sorted(features):
                if key in column:
                    indices.append(column[key])
                    data.append(features[key])
            indptr.append(len(indices))
            labels.append(name == event.label)
    shape = (len(labels), len(keys))
    return csr_matrix((data, indices, indptr), shape=shape), np.array(labels)


def pairs(events: Sequence[Event], keys: list[str]) -> tuple[csr_matrix, np.ndarray]:
    """The ranking as pairs: the label's features minus another candidate's (and the reverse).

    A logistic regression on these differences learns weights under which the label scores
    above the other candidates of its own event: what choosing one name among a few needs.
    """
    x, y = matrix(events, keys)
    rows: list[np.ndarray] = []
    start = 0
    for event in events:
        end = start + len(event.names)
        gold = [i for i in range(start, end) if y[i]]
        if gold:
            rows += [np.asarray(x[gold[0]].todense() - x[i].todense()).ravel()
                     for i in range(start, end) if i != gold[0]]
        start = end
    diffs = np.array(rows)
    both = np.vstack([diffs, -diffs])
    labels = np.array([True] * len(diffs) + [False] * len(diffs))
    return csr_matrix(both), labels


def fit(events: Sequence[Event]) -> CompanyModel:
    """The ranker fitted on these events, rounded as it ships."""
    keys = feature_names(f for e in events for f in e.features)
    x, y = pairs(events, keys)
    model = LogisticRegression(C=C, solver="liblinear", random_state=SEED, max_iter=1000,
                               fit_intercept=False)
    model.fit(x, y)
    weights = {k: round(float(w), DIGITS) for k, w in zip(keys, model.coef_[0])}
    return CompanyModel(0.0, weights)


def predict(model: CompanyModel, event: Event) -> str:
    """The name the daemon would give, by the same rule as ``company_name``."""
    return choose(dict(zip(event.names, event.features)), model)


def folded(name: str) -> str:
    """A name as a reader compares it: letters and digits only, case and width folded."""
    return "".join(c for c in unicodedata.normalize("NFKC", name).casefold() if c.isalnum())


def accuracy(model: CompanyModel, events: Sequence[Event], calendar: bool = True,
             loose: bool = False) -> float:
    """Share of events named right; ``calendar``: each owner's names made whole together,
    as the daemon does for the interviews of one planning pass; ``loose``: right when equal
    but for case, spaces and punctuation ('EDEKA' for 'Edeka', 'Kahoot' for 'Kahoot!')."""
    same = (lambda a, b: folded(a) == folded(b)) if loose else (lambda a, b: a == b)
    return sum(same(got, e.label) for e, got in zip(events, named(model, events, calendar))
               ) / max(len(events), 1)


def named(model: CompanyModel, events: Sequence[Event], calendar: bool = True) -> list[str]:
    """The names the daemon gives these events, in order."""
    names = [predict(model, e) for e in events]
    if not calendar:
        return names
    owners: dict[str, list[int]] = {}
    for i, event in enumerate(events):
        owners.setdefault(str(event.record.get("self", "")), []).append(i)
    for indexes in owners.values():
        whole = names_in_full([(names[i], events[i].domain) for i in indexes])
        for i, name in zip(indexes, whole):
            names[i] = name
    return names


def corpus_of(event: Event) -> str:
    return str(event.record["set"])


def leave_one_corpus_out(events: Sequence[Event], calendar: bool = True,
                         loose: bool = False) -> dict[str, float]:
    """Company accuracy on each corpus by a ranker trained on the other three."""
    scores = {}
    for name in dict.fromkeys(map(corpus_of, events)):
        model = fit([e for e in events if corpus_of(e) != name])
        scores[name] = accuracy(model, [e for e in events if corpus_of(e) == name], calendar,
                                loose)
    return scores


def report(events: Sequence[Event], model: CompanyModel, errors: bool) -> list[str]:
    """The table the module docstring promises, and with ``errors`` the wrong names."""
    loco = leave_one_corpus_out(events)
    alone = leave_one_corpus_out(events, calendar=False)
    loose = leave_one_corpus_out(events, loose=True)
    lines = ["company ranker: accuracy among true interviews (name equals the label); left out:",
             "trained on the other three corpora; one event: without the owner's other events;",
             "but case: left out, right when equal but for case, spaces and punctuation",
             f"  {'corpus':<10} {'interviews':>10} {'left out':>9} {'one event':>9} "
             f"{'but case':>9} {'in-sample':>9} {'reachable':>9}"]
    for name, score in loco.items():
        subset = [e for e in events if corpus_of(e) == name]
        reachable = sum(e.label in e.names for e in subset) / len(subset)
        lines.append(f"  {name:<10} {len(subset):>10} {score:>9.3f} {alone[name]:>9.3f} "
                     f"{loose[name]:>9.3f} {accuracy(model, subset):>9.3f} {reachable:>9.3f}")
    mean = {label: sum(scores[corpus_of(e)] for e in events) / len(events)
            for label, scores in (("loco", loco), ("alone", alone), ("loose", loose))}
    lines.append(f"  {'all':<10} {len(events):>10} {mean['loco']:>9.3f} {mean['alone']:>9.3f} "
                 f"{mean['loose']:>9.3f} {accuracy(model, events):>9.3f}")
    if errors:
        lines.append("company mistakes (left out)")
        for name in loco:
            left = fit([e for e in events if corpus_of(e) != name])
            subset = [e for e in events if corpus_of(e) == name]
            for e, got in zip(subset, named(left, subset)):
                if got != e.label:
                    lines.append(f"  {e.record['id']:<6} {got!r} want {e.label!r} | "
                                 f"{e.record['summary'][:60]!r}")
    return lines


def weights_document(model: CompanyModel, events: int) -> str:
    """The shipped weights as JSON text."""
    document = {
        "about": "Company ranker weights, written by `make train` "
                 "(benchmarks/train_company.py); do not edit by hand.",
        "trained_on": list(CORPORA),
        "interviews": events,
        "regularisation_C": C,
        "bias": model.bias,
        "weights": dict(sorted(model.weights.items(), key=lambda kv: (-abs(kv[1]), kv[0]))),
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, then write (or, with --check, compare) the weights file."""
    args = options(__doc__ or "", MODEL_PATH).parse_args(argv)
    events = read_events(load_records())
    model = fit(events)
    if not args.no_report:
        print("\n".join(report(events, model, args.errors)))
    return ship(weights_document(model, len(events)), args.out, args.check)


if __name__ == "__main__":
    raise SystemExit(main())
