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


# --- The interview format (benchmarks/train_format.py, syncd/format_model.json) -------------

# Leave-one-corpus-out format accuracy among true interviews, a little below what `make train`
# measures (dev 1.000, train-a 0.972, train-b 1.000, train-c 0.993): trained on three writers,
# scored on the fourth. Issue 10 asks for 0.90 on events by writers never seen.
FORMAT_FLOORS = {"dev": 0.97, "train-a": 0.95, "train-b": 0.97, "train-c": 0.97}


@pytest.fixture(scope="module")
def format_data() -> object:
    import train_format

    return train_format.featurize(training.load_records())


def test_shipped_format_weights_are_what_training_on_the_corpora_gives(format_data) -> None:
    import train_format

    from syncd.detect_format import FORMAT_MODEL_PATH

    if unlocked := _unlocked_trainers():
        pytest.skip("the weights are rebuilt bit for bit on the locked versions; here: "
                    + ", ".join(unlocked))
    everything = np.ones(len(format_data.labels), dtype=bool)
    retrained = train_format.weights_document(format_data, train_format.fit(format_data, everything))
    assert FORMAT_MODEL_PATH.read_text("utf-8") == retrained, "run `make train` and commit the result"


def test_daemon_reads_the_format_as_the_fitted_model_does(format_data) -> None:
    import train_format

    from syncd.detect import _clean_title, _read_description
    from syncd.detect_format import meeting_format

    everything = np.ones(len(format_data.labels), dtype=bool)
    expected = train_format.predict(train_format.fit(format_data, everything), format_data, everything)
    for record, index in zip(format_data.records, expected):
        got = meeting_format(_clean_title(record["summary"]), _read_description(record["description"]),
                             record["location"])
        assert got == train_format.FORMATS[index], record["id"]


def test_format_accuracy_on_a_corpus_left_out_reaches_its_floor(format_data) -> None:
    import train_format

    predicted = train_format.left_out(format_data)
    sets = np.array([r["set"] for r in format_data.records])
    for name, floor in FORMAT_FLOORS.items():
        accuracy = float(np.mean(predicted[sets == name] == format_data.labels[sets == name]))
        print(f"format, {name} left out: {accuracy:.3f}")
        assert accuracy >= floor, (name, accuracy)
