"""How an interview happens: the learned format reader, on events written for these tests.

None of these events comes from the corpora: they are written here, in the languages and
shapes the corpora hold and some they do not, so that they test the vocabulary and the
weights together the way an unseen invitation would.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.detect import Rules, classify, format_reasons_of
from syncd.detect_format import (FORMATS, FormatModel, format_features, format_reasons,
                                 meeting_format, shipped_format_model)
from syncd.model import Event

ME = "sam.lee@example.com"


@pytest.mark.parametrize(("title", "description", "location", "expected"), [
    # video: a service by name or link, a recorded one-way interview, a live coding platform
    ("Interview – Data Analyst", "Join: https://acme.zoom.us/j/5551234", "", "video"),
    ("Entretien – chargée de mission", "L'entretien aura lieu sur Teams.", "", "video"),
    ("Vorstellungsgespräch", "", "Google Meet", "video"),
    ("二面 – 算法岗", "腾讯会议 123-456-789", "", "video"),
    ("On-demand video interview", "Record your answers before Friday; the link is valid 5 days.",
     "", "video"),
    ("Technical interview", "We'll pair on CoderPad; the interviewer joins at 10:00.", "", "video"),
    # phone: a number as the place, someone who will call, words for a telephone
    ("Recruiter screen", "", "+44 20 7946 0958", "phone"),
    ("Screening", "Our recruiter will call you at the number on your application.", "", "phone"),
    ("Entrevista", "La responsable de RRHH te llamará a las 11.", "", "phone"),
    ("Собеседование", "Рекрутер позвонит в 15:00, около 20 минут.", "", "phone"),
    ("Telefoninterview – Sachbearbeitung", "", "", "phone"),
    ("電話面接", "人事から電話があります。", "", "phone"),
    # in person: an address, a floor or front desk, a trial at the workplace
    ("Interview – Barista", "Ask for the shift lead.", "Corner Café, 18 Harbour Road", "in_person"),
    ("Sollicitatiegesprek", "Melden bij de receptie, 3e verdieping.", "Kerkstraat 12, Gouda",
     "in_person"),
    ("Colloquio", "Presentarsi alla reception con un documento.", "Via Roma 10, Torino",
     "in_person"),
    ("Trial shift – line cook", "Bring your knives and non-slip shoes.", "Bistro Nord",
     "in_person"),
    ("Assessment centre – graduate scheme", "Group exercise, then a partner interview.",
     "Regional Office, 4 Mill Lane, Leeds LS1 4AB", "in_person"),
    ("Entrevista presencial", "", "", "in_person"),
    # an address for the place and a Zoom link in a footer: the place is what was chosen
    ("Onsite interview", "Can't make it? Join the backup line: https://zoom.us/j/77",
     "Acme, 200 Pine Street, Seattle", "in_person"),
    # unknown: nothing says how, or a test taken alone with no call at all
    ("Interview – Operations Lead", "Round 2 with the team.", "", "unknown"),
    ("Online-Test – Ausbildung", "Bitte bis Sonntag abschließen; der Link ist 3 Tage gültig.",
     "Online", "unknown"),
    ("Coding assessment", "90 minutes on HackerRank, complete by Friday 23:59.", "", "unknown"),
    ("Take-home exercise", "Submit your analysis within 48 hours.", "Remote", "unknown"),
    ("Interview", "Format to be confirmed: onsite or virtual.", "", "unknown"),
])
def test_format_of_events_written_here(title: str, description: str, location: str,
                                       expected: str) -> None:
    assert meeting_format(title, description, location) == expected, format_features(
        title, description, location)


def test_the_daemon_reads_the_same_format_for_an_interview() -> None:
    verdict = classify("Onsite interview – Data Engineer (Globex)", "See you at reception.",
                       "Globex, 1 Market St, San Francisco", "talent@globex.com", [ME],
                       Rules(self_addresses=(ME,)))
    assert verdict.interview and verdict.format == "in_person"


def test_reasons_name_the_features_that_weighed_most() -> None:
    reasons = format_reasons("Phone screen", "She will call you.", "")
    assert reasons and all("for phone" in r for r in reasons)
    assert any("someone will call" in r or "telephone word" in r for r in reasons)


def test_reasons_of_an_event_read_its_fields_as_the_detector_does() -> None:
    start = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    event = Event(uid="iv", start=start, end=start + timedelta(hours=1),
                  summary="Updated invitation: Onsite interview",
                  description="<p>Please check in at <b>reception</b>, 3rd floor.</p>",
                  location="Globex, 1 Market St, San Francisco")
    reasons = format_reasons_of(event)
    assert reasons == format_reasons("Onsite interview", " Please check in at  reception , 3rd floor. ",
                                     "Globex, 1 Market St, San Francisco")
    assert reasons and all("for in_person" in r for r in reasons)


def test_the_weights_cover_every_format_and_ties_go_in_order() -> None:
    model = shipped_format_model()
    assert model.formats == FORMATS or sorted(model.formats) == sorted(FORMATS)
    flat = FormatModel(FORMATS, (0.0, 0.0, 0.0, 0.0), {})
    assert meeting_format("Interview", "", "", model=flat) == FORMATS[0]
    with pytest.raises(ValueError):
        FormatModel.from_json({"formats": ["video"], "bias": {"video": 0}, "weights": {}})


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.text(max_size=300), st.text(max_size=60))
def test_the_prefilter_never_changes_the_features(title: str, text: str, location: str) -> None:
    assert sorted(format_features(title, text, location)) == sorted(
        format_features(title, text, location, prefilter=False))


WORDS = st.sampled_from(["zoom", "Teams", "call you", "phone", "+1 415 555 0100", "Rd", "12",
                         "Str. 4", "reception", "online", "test", "by Friday", "onsite", " ", ",",
                         "ul. ", "floor", "in person", "HireVue", "電話", "3층", "Via ", "Roma"])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=30).map(" ".join), st.lists(WORDS, max_size=30).map(" ".join))
def test_the_prefilter_agrees_on_text_full_of_format_words(text: str, location: str) -> None:
    assert sorted(format_features(text[:80], text, location)) == sorted(
        format_features(text[:80], text, location, prefilter=False))


@pytest.mark.parametrize("unit", ["1", "1 ", "a", "a.", "1-", "+1 ", "ul. ", "Via A ", "路1", "a로1 ",
                                  "call ", "http://", "5 a a a a a "])
def test_hostile_long_fields_are_read_up_to_a_cap(unit: str) -> None:
    huge = unit * 200_000
    capped = format_features(huge[:300], huge[:6000], huge[:300])
    assert format_features(huge, huge, huge) == capped
    assert meeting_format(huge, huge, huge) in FORMATS
