"""The shipped detector weights: rebuilt bit for bit by `make train`, and what they score.

These need scikit-learn (the ``train`` extra, which `make test` installs) and the labelled
corpora in ../shared/corpus/; without either they skip and say why.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
CORPUS_DIR = ROOT / ".." / "shared" / "corpus"
pytest.importorskip("sklearn", reason="scikit-learn is the train extra: pip install -e '.[train]'")
if not (CORPUS_DIR / "interviews-train-c.jsonl").exists():
    pytest.skip(f"labelled corpora not found in {CORPUS_DIR.resolve()}", allow_module_level=True)
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
import train_detect as training  # noqa: E402
from detect_labels import language  # noqa: E402

from syncd.detect import MODEL_PATH, Detector, Rules, shipped_model  # noqa: E402

# Issue 10's goal, cross-validated over the four corpora: precision 0.97 and recall 0.95 over
# all, and neither below 0.9 in any language with at least 20 events (smaller ones are in the
# `make train` report, not asserted).
GOAL_PRECISION, GOAL_RECALL, GOAL_LANGUAGE, LANGUAGE_EVENTS = 0.97, 0.95, 0.9, 20


@pytest.fixture(scope="module")
def data() -> training.Data:
    return training.featurize(training.load_records())


@pytest.fixture(scope="module")
def cross_validated(data: training.Data) -> np.ndarray:
    return training.cross_validated(data)


def _unlocked_trainers() -> list[str]:
    """The training libraries installed at another version than requirements.lock pins."""
    from importlib.metadata import version

    pins = dict(line.split("==", 1) for line in (ROOT / "requirements.lock").read_text().splitlines()
                if "==" in line and not line.startswith(" "))
    return [f"{name} {version(name)} (lock: {pins[name]})" for name in ("scikit-learn", "numpy", "scipy")
            if name in pins and version(name) != pins[name].strip()]


def test_shipped_weights_are_what_training_on_the_corpora_gives(data: training.Data) -> None:
    if unlocked := _unlocked_trainers():
        # `make test-latest` runs on the newest releases: bit for bit holds on the locked ones
        pytest.skip("the weights are rebuilt bit for bit on the locked versions; here: "
                    + ", ".join(unlocked))
    retrained = training.weights_document(data, training.fit(data.matrix, data.labels))
    assert MODEL_PATH.read_text("utf-8") == retrained, "run `make train` and commit the result"


def test_daemon_scores_with_the_shipped_weights_as_scikit_learn_does(data: training.Data) -> None:
    # The daemon's own arithmetic (no scikit-learn) agrees with the fitted model.
    fitted = training.fit(data.matrix, data.labels)
    expected = fitted.predict_proba(data.matrix)[:, 1]
    model = shipped_model()
    for record, probability in list(zip(data.records, expected))[::25]:
        verdict = Detector(Rules(self_addresses=(record["self"],)), model=model).classify(
            record["summary"], record["description"], record["location"], record["organizer"],
            record["attendees"])
        assert verdict.score == pytest.approx(probability, abs=0.011)


def test_cross_validated_quality_reaches_the_goal(data: training.Data,
                                                  cross_validated: np.ndarray) -> None:
    precision, recall = training.precision_recall(data.labels, cross_validated)
    print(f"cross-validated precision={precision:.3f} recall={recall:.3f}")
    assert precision >= GOAL_PRECISION and recall >= GOAL_RECALL
    for name, idx in training.groups(data.records, language).items():
        if len(idx) >= LANGUAGE_EVENTS:
            p, r = training.precision_recall(data.labels[idx], cross_validated[idx])
            assert min(p, r) >= GOAL_LANGUAGE, (name, p, r)


# Trained on three writers, tested on the fourth: the proxy for events nobody here has seen.
# Floors a little below what `make train` measures, so that a change that loses ground on an
# unseen writer fails here even when the cross-validation (which has seen every writer) holds.
LEAVE_ONE_OUT_FLOORS = {  # corpus: (precision, recall)
    "dev": (0.97, 0.95),
    "train-a": (0.95, 0.96),
    "train-b": (0.97, 0.97),
    "train-c": (0.97, 0.95),
}


@pytest.mark.parametrize("corpus", sorted(LEAVE_ONE_OUT_FLOORS))
def test_quality_on_a_writer_left_out_holds_its_floor(data: training.Data, corpus: str) -> None:
    test, predicted = training.predicted_by_split(data, lambda r: r["set"] == corpus)
    precision, recall = training.precision_recall(data.labels[test], predicted)
    print(f"{corpus} left out: precision={precision:.3f} recall={recall:.3f}")
    floor_precision, floor_recall = LEAVE_ONE_OUT_FLOORS[corpus]
    assert precision >= floor_precision and recall >= floor_recall, (precision, recall)
