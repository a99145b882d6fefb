"""The company an interview is with: the candidate extractor, its ranker and its weights file.

The events here are written for these tests (none is from the corpora). The last tests need
scikit-learn (the ``train`` extra) and the labelled corpora in ../shared/corpus/; without
either they skip and say why.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from syncd import detect_company
from syncd.detect import Detector, Rules, classify
from syncd.detect_company import MAX_CANDIDATES, candidates, company_name, names_in_full, tidy
from syncd.model import Attendee, Event
from syncd.plan import find_interviews

ROOT = Path(__file__).parents[2]
CORPUS_DIR = ROOT / ".." / "shared" / "corpus"
ME = "sam.okafor@gmail.com"


def company(summary: str, description: str = "", location: str = "", organizer: str = "",
            attendees: tuple[str, ...] = ()) -> str:
    """The company named for an event taken as an interview (the detector is not asked)."""
    return classify(summary, description, location, organizer, list(attendees),
                    Rules(self_addresses=(ME,), include=(".",))).company


@pytest.mark.parametrize(("summary", "description", "location", "organizer", "expected"), [
    # A title segment, with the role and the format around it.
    ("Phone screen – Harrowgate Biscuits (Quality Technician)", "", "", ME,
     "Harrowgate Biscuits"),
    # The domain confirms the name the title spells, rather than inventing one.
    ("Entretien – Fromagerie Vautrin (vendeur)", "", "", "rh@fromagerie-vautrin.fr",
     "Fromagerie Vautrin"),
    # German, with the legal form dropped as the labels drop it.
    ("Vorstellungsgespräch Quellwerk", "Mit freundlichen Grüßen\nQuellwerk GmbH – Personal",
     "", "bewerbung@quellwerk.de", "Quellwerk"),
    # Polish, after the interview words.
    ("Rozmowa kwalifikacyjna – Piekarnia Zawada", "", "", ME, "Piekarnia Zawada"),
    # Japanese: 株式会社 is a legal form; the name keeps the text's own script.
    ("【一次面接のご案内】株式会社ミドリ精機 / 設計エンジニア", "", "", "saiyo@midori-seiki.co.jp",
     "ミドリ精機"),
    # Korean and Chinese titles, name beside the step words.
    ("1차 면접 – 한빛소프트웨어", "", "", ME, "한빛소프트웨어"),
    ("二面 – 青禾科技", "", "", ME, "青禾科技"),
    # Connector words: at / bei / chez.
    ("Interview at Tamsin & Rowe", "", "", ME, "Tamsin & Rowe"),
    ("Probearbeiten bei Konditorei Albrecht", "", "", ME, "Konditorei Albrecht"),
    # The title's short name, in full in the signature (and spelled by the domain).
    ("Phone screen – Harlow Regional", "Hi Sam,\n\nThanks for applying.\n\n"
     "Harlow Regional Hospital – Talent Acquisition", "", "hr@harlowregional.org",
     "Harlow Regional Hospital"),
    # Spanish with the role in brackets; Russian in Cyrillic.
    ("entrevista – Panadería Ruiz (ayudante)", "", "", ME, "Panadería Ruiz"),
    ("Собеседование – Северный Ветер (бухгалтер)", "", "", ME, "Северный Ветер"),
    # A cover title: the description and the organizer's domain say who it is.
    ("Dentist", "Interview with the Orrin Labs data team, 45 min.", "",
     "hiring@orrinlabs.io", "Orrin Labs"),
])
def test_company_of_events_written_here(summary: str, description: str, location: str,
                                        organizer: str, expected: str) -> None:
    assert company(summary, description, location, organizer) == expected


def test_a_person_the_invite_names_is_not_the_company() -> None:
    # "Priya" is the interviewer: her mailbox spells her name.
    found = company("Technical screen w/ Priya – Corvane", organizer="priya.nair@corvane.com")
    assert found == "Corvane"


def test_the_domain_alone_is_the_last_resort() -> None:
    assert company("Round 2 of 4 · System Design", organizer="jo@quillory.com") == "Quillory"
    assert company("Round 2 of 4 · System Design", organizer=ME) == ""


def test_legal_forms_are_dropped_as_the_labels_drop_them() -> None:
    assert tidy("Siemreap Trading Ltd.") == "Siemreap Trading"
    assert tidy("Borealis Kraft AG") == "Borealis Kraft"
    assert tidy("株式会社ミドリ精機") == "ミドリ精機"
    assert tidy("PT Sinar Laut") == "PT Sinar Laut"  # kept, as everyday usage does


def test_hostile_long_fields_stay_bounded() -> None:
    detector = Detector(Rules(self_addresses=(ME,)))
    parties = detector.parties("a@b.com", [])
    title = "Interview – " + "Acme " * 5000
    text = ("Capitalised Words Everywhere, " * 20000 + "\n") * 3
    found = candidates(title, text, "Zoom " * 1000, parties, ["x@y.com"] * 5000)
    name = company_name(title, text, "Zoom " * 1000, parties, ["x@y.com"] * 5000)
    assert len(found) <= MAX_CANDIDATES and isinstance(name, str) and len(name) <= 60


# --- One owner's interviews together -----------------------------------------------------------


def test_a_short_name_takes_the_full_name_another_invite_gives() -> None:
    entries = [("Sunrise Home Healthcare", "sunrisehhc.ae"), ("Sunrise", "sunrisehhc.ae"),
               ("Meridian Post", ""), ("The Meridian Post", "meridianpost.com"),
               ("ALN", "aln-noticias.com"), ("Agencia Latina de Noticias", "aln-noticias.com")]
    assert names_in_full(entries) == [
        "Sunrise Home Healthcare", "Sunrise Home Healthcare", "The Meridian Post",
        "The Meridian Post", "Agencia Latina de Noticias", "Agencia Latina de Noticias"]


def test_names_stay_apart_when_the_senders_or_the_full_names_differ() -> None:
    # Another company's domain: not the same employer.
    assert names_in_full([("Apex", "apex.io"), ("Apex Freight", "apexfreight.com")]) == [
        "Apex", "Apex Freight"]
    # Two full names could be meant: the short one stays as it is.
    assert names_in_full([("Nova", ""), ("Nova Bank", ""), ("Nova Foods", "")])[0] == "Nova"
    assert names_in_full([("", ""), ("Nova Bank", "")]) == ["", "Nova Bank"]


def test_many_interviews_are_named_together_in_bounded_work(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A hostile calendar: 20,000 interviews, all of one first word. Each name is compared
    # with a bounded few, not with every other one.
    entries = [(f"Acme {i} Holdings", "") for i in range(20_000)] + [("Acme", "")]
    compared = []
    shortens = detect_company._shortens
    monkeypatch.setattr(detect_company, "_shortens",
                        lambda short, name: compared.append(1) or shortens(short, name))
    named = names_in_full(entries)
    assert named[:-1] == [name for name, _ in entries[:-1]] and named[-1] == "Acme"
    assert len(compared) <= 3 * MAX_CANDIDATES * len(entries)


def test_planning_names_each_interview_as_its_process_does() -> None:
    start = datetime(2026, 12, 1, 14, 0, tzinfo=timezone.utc)
    people = (Attendee("talent@brightwellfoods.com"), Attendee(ME))

    def event(uid: str, summary: str, description: str, days: int) -> Event:
        at = start + timedelta(days=days)
        return Event(uid=uid, start=at, end=at + timedelta(hours=1), summary=summary,
                     description=description, organizer="talent@brightwellfoods.com",
                     attendees=people, href=f"{uid}.ics")

    events = [
        event("a", "Interview – Brightwell (Quality Lead)", "Thanks for applying!\n\n"
              "Brightwell Foods – Talent Acquisition", 0),
        event("b", "Brightwell – site visit and final interview", "See you at the plant.", 7),
    ]
    found = find_interviews(events, Rules(self_addresses=(ME,), include=(".",)))
    assert [iv.verdict.company for iv in found] == ["Brightwell Foods"] * 2


# --- The shipped ranker (needs scikit-learn and the corpora) --------------------------------


@pytest.fixture(scope="module")
def training():  # type: ignore[no-untyped-def]
    pytest.importorskip("sklearn", reason="scikit-learn is the train extra: pip install -e '.[train]'")
    if not (CORPUS_DIR / "interviews-train-c.jsonl").exists():
        pytest.skip(f"labelled corpora not found in {CORPUS_DIR.resolve()}")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import train_company

    return train_company


@pytest.fixture(scope="module")
def events(training):  # type: ignore[no-untyped-def]
    return training.read_events(training.load_records())


def test_shipped_company_weights_are_what_training_gives(training, events) -> None:  # type: ignore[no-untyped-def]
    from tests.unit.test_detect_model import _unlocked_trainers

    if unlocked := _unlocked_trainers():
        pytest.skip("the weights are rebuilt bit for bit on the locked versions; here: "
                    + ", ".join(unlocked))
    expected = training.weights_document(training.fit(events), len(events))
    assert training.MODEL_PATH.read_text("utf-8") == expected, "run `make train` and commit it"


# Leave-one-corpus-out company accuracy (trained on three writers, tested on the fourth), a
# little below what `make train` measures. Issue 10's goal is 0.85 on each.
LOCO_FLOORS = {"dev": 0.90, "train-a": 0.83, "train-b": 0.84, "train-c": 0.88}


def test_left_out_corpora_company_accuracy(training, events) -> None:  # type: ignore[no-untyped-def]
    scores = training.leave_one_corpus_out(events)
    print(scores)
    assert {name: scores[name] >= floor for name, floor in LOCO_FLOORS.items()} == {
        name: True for name in LOCO_FLOORS}, scores
