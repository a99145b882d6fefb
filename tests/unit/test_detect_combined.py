"""The detector's features made of others, and its vocabulary beyond the corpora's languages.

The features are checked as features (what an event sets, whatever the weights); a few
decisions on made-up events, none from the corpora, check that the shipped weights use them.
"""

from __future__ import annotations

import pytest

from syncd import detect_features as features
from syncd.detect import Rules, classify

ME = "sam.roe@gmail.com"


def keys(title: str, description: str = "", location: str = "") -> set[str]:
    """The content cue keys an event sets."""
    cues = features.content_cues(title, features.title_cues(title), features.text_cues(description),
                                 features.location_cues(location))
    return {key for key, _ in cues}


def is_interview(title: str, description: str = "", location: str = "",
                 organizer: str = "", attendees: tuple[str, ...] = ()) -> bool:
    rules = Rules(self_addresses=(ME,))
    return classify(title, description, location, organizer, list(attendees), rules).interview


@pytest.mark.parametrize("title", ["Dentist", "Hold", "OOO", "Busy – personal", "Focus time 🦷",
                                   "Errand", "Zahnarzt", "歯医者", "Personal appt"])
def test_a_cover_title_over_an_interview_counts_like_an_interview_word(title: str) -> None:
    found = keys(title, "really: the final round with the hiring manager, on Zoom")
    assert {"x:cover-title", "x:unopposed"} <= found
    assert "x:cover-title" not in keys(title, "bring the insurance card")
    assert "x:cover-title" not in keys(title, "Quick check-in on the hiring plan.")


def test_a_cover_title_is_read_as_one() -> None:
    assert is_interview("Block", "not a block – second round interview at a bakery chain, "
                                 "ask for the store manager")
    assert not is_interview("Block", "deep work on the quarterly report")


@pytest.mark.parametrize("title, description", [
    ("Test wiedzy – etap 3 rekrutacji", ""),
    ("Online Technical Test", "Next step in your application: 60 minutes, four tasks."),
    ("Bài test online (vòng 1)", "Chương trình tuyển dụng thực tập sinh"),
])
def test_a_test_that_is_a_step_of_a_selection_is_a_hiring_step(title: str,
                                                               description: str) -> None:
    assert "t:hiring-step" in keys(title, description)


def test_a_test_alone_is_not_a_hiring_step() -> None:
    assert "t:hiring-step" not in keys("Bio exam", "chapters 7-10")


@pytest.mark.parametrize("title", ["Interview – my son's, drive him at 9",
                                   "entrevista de mi hija", "老公面试", "Vorstellungsgespräch Sohn",
                                   "собеседование мужа", "final round – keep the kids quiet"])
def test_a_family_member_or_a_lift_makes_it_someone_elses_interview(title: str) -> None:
    found = keys(title)
    assert "t:not:someone else's interview" in found and "x:unopposed" not in found


@pytest.mark.parametrize("title", ["Frau Lange – Vorstellungsgespräch", "Partner interview",
                                   "Synapse Bio – final round", "Mari – phone screen"])
def test_names_and_partner_rounds_are_not_family(title: str) -> None:
    assert "t:not:someone else's interview" not in keys(title)


def test_any_title_negative_sets_the_shared_one() -> None:
    assert "t:not-hiring" in keys("CANCELLED: panel interview")
    assert "t:not-hiring" in keys("Podcast interview")
    assert "t:not-hiring" not in keys("Panel interview")


@pytest.mark.parametrize("description", [
    "Apologies, the role has been put on hold and we need to cancel tomorrow's panel.",
    "We regret to inform you that the search has been cancelled due to a hiring freeze.",
])
def test_a_description_that_calls_it_off_opposes_the_title(description: str) -> None:
    assert {"d:not-hiring"} <= keys("Panel Interview", description)
    assert "x:unopposed" not in keys("Panel Interview", description)


@pytest.mark.parametrize("title", ["Interviu la o bancă", "Állásinterjú", "Temuduga kerja",
                                   "Събеседване", "মুলাকাত ইন্টারভিউ", "مصاحبه کاری",
                                   "Razgovor za posao"])
def test_the_word_for_interview_in_languages_beyond_the_corpora(title: str) -> None:
    assert "t:interview-word" in keys(title)


def test_who_booked_a_slot_on_a_booking_page_says_who_hosts() -> None:
    booking = "Booked by\nJo Bloggs\njo.bloggs@example.org\n\nAppointment schedule: interviews"
    text = booking.replace("jo.bloggs@example.org", ME)
    assert features.booker(booking) == "jo.bloggs@example.org"
    assert features.booker(text) == ME
    assert features.booker("Join with Google Meet") == ""


def test_a_reason_is_not_repeated_inside_another() -> None:
    verdict = classify("Dentist", "really: the final round, on Zoom", "", "", [],
                       Rules(self_addresses=(ME,)))
    assert verdict.interview
    reasons = verdict.reasons
    assert reasons[0].startswith("the title 'Dentist' is a cover")
    assert not any(a != b and a in b for a in reasons for b in reasons), reasons


@pytest.mark.parametrize("title, description", [
    ("HM chat @ Brightwave", ""), ("int. @ Corvid", ""), ("OCI – Baker Hale LLP", ""),
    ("Teaching demo – Riverside College", "campus interview day, 2nd step"),
    ("Interviu la o bancă", ""), ("Errand", "Interview at the Plexa office, 3rd floor"),
    ("Dinámica de grupo – supermercado", ""), ("Fachgespräch – Elektronik", ""),
])
def test_terse_notes_and_other_languages_are_interviews(title: str, description: str) -> None:
    assert is_interview(title, description)


@pytest.mark.parametrize("title", ["Final exam", "Loop road bike ride", "Intervista a Radio Uno",
                                   "Interview magazine launch party", "Rehearsal – interview scene",
                                   "Lena final round – keep the kids quiet",
                                   "Interview panel – Data Analyst", "Gönüllü mülakatı"])
def test_shorthand_and_interview_words_that_are_not_the_owners_interview(title: str) -> None:
    assert not is_interview(title)


@pytest.mark.parametrize("title", [
    "Entrevista para la radio", "Interview met de krant", "Wawancara dengan wartawan",
    "Собеседование в магистратуру", "Entretien blanc", "Colloquio simulato",
    "Entrevista en la comisaría", "Entrevista cancelada – supermercado",
    "Vorstellungsgespräch mit Bewerberin Frau Klein", "Entretien candidat – M. Diallo",
])
def test_the_kinds_of_non_interview_in_other_languages(title: str) -> None:
    assert not is_interview(title)


@pytest.mark.parametrize("title", ["Son mülakat – holding", "Vòng 2 – ngân hàng",
                                   "Entretien final – cosmétiques"])
def test_last_rounds_in_other_languages_are_interviews(title: str) -> None:
    assert is_interview(title)


@pytest.mark.parametrize("title", ["Llamada con la reclutadora – Telefónica",
                                   "Appel recruteuse – Capgemini", "Созвон с рекрутером – Озон"])
def test_a_call_with_a_recruiter_in_any_language_is_a_hiring_step(title: str) -> None:
    assert "t:hiring-step" in keys(title)
    assert is_interview(title)
