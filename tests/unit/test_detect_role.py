"""The role an interview is for, on events written for these tests (none from the corpora)."""

from __future__ import annotations

import pytest

from syncd.detect import Rules, classify
from syncd.detect_role import role_name

ME = "sam.lee@example.com"


@pytest.mark.parametrize(("title", "description", "company", "expected"), [
    # said outright, in many languages
    ("Interview for the Product Analyst role at Globex", "", "Globex", "Product Analyst"),
    ("Interview – Globex", "Position: Data Engineer\nDuration: 45 minutes", "Globex",
     "Data Engineer"),
    ("Vorstellungsgespräch", "für die Position Werkstudent Controlling (m/w/d) bei uns", "",
     "Werkstudent Controlling"),
    ("Entretien", "Nous vous invitons pour le poste de Chargée de communication à Lyon.", "",
     "Chargée de communication"),
    ("Entrevista", "Te confirmamos la entrevista para el puesto de Analista de Datos en Madrid.",
     "", "Analista de Datos"),
    ("Rozmowa", "Zapraszamy na rozmowę na stanowisko Księgowa w naszym biurze.", "", "Księgowa"),
    ("Mülakat", "Satış Uzmanı pozisyonu için görüşme.", "", "Satış Uzmanı"),
    ("Phỏng vấn", "Mời bạn phỏng vấn vị trí Kỹ sư phần mềm tại công ty.", "",
     "Kỹ sư phần mềm"),
    ("Собеседование", "Приглашаем на позицию Бухгалтер, отдел учёта.", "", "Бухгалтер"),
    # a title segment, once format words, requisition numbers and the company are gone
    ("Onsite – Globex – Senior Data Engineer (R0012345)", "", "Globex", "Senior Data Engineer"),
    ("JR7995 Financial Analyst – Phone Interview", "", "", "Financial Analyst"),
    ("Globex Product Manager interview", "", "Globex", "Product Manager"),
    ("Phone screen – Barista – Blue Door Café", "", "Blue Door Café", "Barista"),
    ("bartender interview @ Harbor Grill", "", "Harbor Grill", "bartender"),
    ("Interview – Registered Nurse (Job ID 2031-77)", "", "", "Registered Nurse"),
    # a short note the owner typed
    ("Interview – Harbor Grill", "line cook, ask for the chef at the back door", "Harbor Grill",
     "line cook"),
    # nothing says, or only the interviewer's title is given
    ("Interview – Globex", "Round 2 with the team.", "Globex", ""),
    ("Final round – Globex", "You'll meet Jane Roe (Engineering Manager) and Raj Patel, "
     "Director of Sales, for an hour. We look forward to it and will send details soon.",
     "Globex", ""),
    ("2nd interview – Globex", "2nd round w/ senior manager", "Globex", ""),
])
def test_role_of_events_written_here(title: str, description: str, company: str,
                                     expected: str) -> None:
    assert role_name(title, description, company) == expected


def test_the_daemon_names_the_role_without_the_company() -> None:
    verdict = classify("Interview – Globex Product Manager", "We look forward to meeting you.",
                       "", "talent@globex.com", [ME], Rules(self_addresses=(ME,)))
    assert verdict.interview and verdict.company == "Globex"
    assert verdict.role == "Product Manager"


@pytest.mark.parametrize("unit", ["a", "a ", "Engineer ", "for the ", "position: ", "Manager role ",
                                  "职位", "포지션 ", "w/ ", "Ingenieur", "(", "a, "])
def test_hostile_long_fields_give_a_short_role_or_none(unit: str) -> None:
    text = unit * 100_000
    role = role_name(text[:300], text[:10_000], "Acme")
    assert len(role) <= 60 and len(role.split()) <= 7
