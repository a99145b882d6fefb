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

# Where the learned detector stands today (cross-validated over the four corpora); the goal
# of issue 10 (precision 0.97, recall 0.95) is asserted below as an expected failure.
FLOOR_PRECISION, FLOOR_RECALL = 0.96, 0.945
FLOOR_LANGUAGE = 0.83


@pytest.fixture(scope="module")
def data() -> training.Data:
    return training.featurize(training.load_records())


@pytest.fixture(scope="module")
def cross_validated(data: training.Data) -> np.ndarray:
    return training.cross_validated(data)


def test_shipped_weights_are_what_training_on_the_corpora_gives(data: training.Data) -> None:
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


def test_cross_validated_quality_holds_its_floor(data: training.Data,
                                                 cross_validated: np.ndarray) -> None:
    precision, recall = training.precision_recall(data.labels, cross_validated)
    print(f"cross-validated precision={precision:.3f} recall={recall:.3f}")
    assert precision >= FLOOR_PRECISION and recall >= FLOOR_RECALL
    for name, idx in training.groups(data.records, language).items():
        if len(idx) >= 20:
            p, r = training.precision_recall(data.labels[idx], cross_validated[idx])
            assert min(p, r) >= FLOOR_LANGUAGE, (name, p, r)


@pytest.mark.xfail(reason="issue 10's goal is not reached yet; see `make train` for where it "
                          "stands", strict=False)
def test_cross_validated_quality_reaches_the_goal(data: training.Data,
                                                  cross_validated: np.ndarray) -> None:
    precision, recall = training.precision_recall(data.labels, cross_validated)
    assert precision >= 0.97 and recall >= 0.95
    for name, idx in training.groups(data.records, language).items():
        if len(idx) >= 20:
            p, r = training.precision_recall(data.labels[idx], cross_validated[idx])
            assert min(p, r) >= 0.9, (name, p, r)
