"""What an invitation says outright about the names in it: the client, the go-between, the
people, and a cover title's description. The events are written for these tests, in other
words and languages than the corpora's."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.company_cues import CLIENT, PERSON, VIA, said
from syncd.company_features import person_words
from syncd.detect import Rules, classify
from syncd.detect_role import role_name

ME = "sam.okafor@gmail.com"


def company(summary: str, description: str = "", organizer: str = "") -> str:
    """The company named for an event taken as an interview."""
    return classify(summary, description, "", organizer, [],
                    Rules(self_addresses=(ME,), include=(".",))).company


@pytest.mark.parametrize(("summary", "description", "organizer", "expected"), [
    # The agency names its client: the client is the employer, whoever sent the invite.
    ("Talentbrücke: Interview mit unserem Kunden Feldmann Optik", "", "lena@talentbruecke.de",
     "Feldmann Optik"),
    ("Entrevista – Grupo Vela / cliente: Conservas Ardora – Operario", "", "rrhh@grupovela.es",
     "Conservas Ardora"),
    ("Colloquio – Agenzia Ponte", "Buongiorno, la contatto per conto di Cantine Morello.",
     "info@agenziaponte.it", "Cantine Morello"),
    # "via X", "X aracılığıyla": X only passes the invitation on.
    ("Phone interview – Brightmoor Dairy (via Keystone Partners)", "", "", "Brightmoor Dairy"),
    ("Mülakat – Yıldız Tekstil (Kariyer Ortakları aracılığıyla)", "", "", "Yıldız Tekstil"),
    # "nuestro cliente X para ...": the name, not the words after it; a Turkish genitive.
    ("Entrevista telefónica – Talentia / Bodegas Lurra – Técnico/a de Calidad",
     "Te confirmo la entrevista con nuestro cliente Bodegas Lurra para el puesto de Técnico/a.",
     "ana@talentia-staffing.es", "Bodegas Lurra"),
    ("Mülakat – Kardelen Gıda – Satın Alma Uzmanı",
     "Müşterimiz Kardelen Gıda'nın Satın Alma Uzmanı pozisyonu için görüşme.", "",
     "Kardelen Gıda"),
    # An agency's own name beside "interview at Employer".
    ("Staffline: interview at Orchard Foods – Picker", "", "jobs@staffline-recruitment.co.uk",
     "Orchard Foods"),
])
def test_the_client_wins_over_the_go_between(summary: str, description: str, organizer: str,
                                            expected: str) -> None:
    assert company(summary, description, organizer) == expected


@pytest.mark.parametrize(("summary", "description", "organizer", "expected"), [
    # People met, not companies: a scheduling page's pair, a person introduced by "who",
    # an invitee's full name, a surname after an honorific.
    ("Intro call between Marta Kowalczyk and Tomás Ferreira", "", "hr@fjordlys.no", "Fjordlys"),
    ("30 Minute Recruiter Intro between Ana Ruiz and Tomás Ferreira", "", "hr@fjordlys.no",
     "Fjordlys"),
    ("Conversation: Ingrid Solberg <> Tomás Ferreira",
     "Hi Tomás,\n\nThis is your conversation with Ingrid Solberg, who runs the platform team.",
     "hr@fjordlys.no", "Fjordlys"),
    ("Entretien avec Mme Garnier", "Boulangerie Roux recrute un vendeur.", "",
     "Boulangerie Roux"),
    # A name in apposition with a job: "Ola Berg, the hiring manager".
    ("Internal Mobility: Tomás Ferreira <> Ola Berg (Senior Designer)",
     "Hi Tomás,\n\nThis is your interview with Ola Berg, the hiring manager.", "people@fjordlys.no",
     "Fjordlys"),
])
def test_people_are_not_the_company(summary: str, description: str, organizer: str,
                                    expected: str) -> None:
    assert company(summary, description, organizer) == expected


@pytest.mark.parametrize(("summary", "description", "expected"), [
    ("Busy", "Hartwell Foods phone screen with the recruiter, 20 min", "Hartwell Foods"),
    ("Zahnarzt", "Vorstellungsgespräch bei Kessler Metallbau, 14 Uhr", "Kessler Metallbau"),
    ("Hold", "Corvane Labs hiring manager call w/ Priya Menon (Data Platform Lead)",
     "Corvane Labs"),
    # The name before the step words, not the person who calls.
    ("Hold – private", "(private) Quillfeather recruiter screen – Dana calling my cell at 3.",
     "Quillfeather"),
])
def test_a_cover_title_never_names_the_company(summary: str, description: str,
                                               expected: str) -> None:
    assert company(summary, description) == expected


def test_said_reads_each_kind_in_its_words() -> None:
    found = said("Gespräch mit Frau Albers (via Brückenwerk)",
                 "Sie sprechen im Auftrag von Nordhafen Logistik mit Ola Berg, who leads ops.")
    assert found["Albers"] == PERSON
    assert found["Brückenwerk"] == VIA
    assert found["Nordhafen Logistik"] == CLIENT
    assert found["Ola Berg"] == PERSON


def test_a_tool_after_via_is_no_go_between() -> None:
    """"via Acme Chime" names a tool's maker, which may well be the employer."""
    assert "Quillon" not in said("", "Join via Quillon Meet: https://meet.example/x")


def test_said_is_bounded() -> None:
    """A stranger's text is read up to a cap, however long."""
    long = "client: Acme " * 100_000
    assert len(said(long, long)) <= 2


@pytest.mark.parametrize(("summary", "organizer", "expected"), [
    # The start of a role is a department or a programme, not the company.
    ("Interview with Pellworth – Creator Partnerships Manager (Round 2)", "", "Pellworth"),
    # An organisation noun that begins the role ("Software Engineer") ends no name.
    ("Ana / Rui – Norvik Staff Software Engineer", "ana@norvik.io", "Norvik"),
    ("Entrevista – Vientos del Sur – Analista de Compras", "", "Vientos del Sur"),
    # The role itself, a department and a programme's start are never the company.
    ("Interview Scheduled: Stock Associate II (R00412) – Halden & Pike", "halden@myworkday.com",
     "Halden & Pike"),
    ("Entrevista com Caju – Engenharia de Dados (liderança)", "", "Caju"),
    ("Lindqvist Area Manager Graduate Programme – Assessment Centre", "grads@lindqvist.se",
     "Lindqvist"),
])
def test_role_words_are_not_the_company(summary: str, organizer: str, expected: str) -> None:
    assert company(summary, organizer=organizer) == expected


@pytest.mark.parametrize(("summary", "role", "expected"), [
    # Job nouns of Arabic and Dutch: the role is read, and the company is not the role.
    ("مقابلة – نخيل العقارية – محلل مالي", "محلل مالي", "نخيل العقارية"),
    ("Kennismakingsgesprek – Senior Data Analist | veldwerk", "Senior Data Analist", "veldwerk"),
])
def test_job_nouns_of_more_languages(summary: str, role: str, expected: str) -> None:
    assert role_name(summary, "") == role
    assert company(summary, organizer="hr@veldwerk.nl" if expected == "veldwerk" else "") == expected


@pytest.mark.parametrize("text", ["via 's", "client: 'in", "Mr. 's", "between 's and 'nin"])
def test_a_bare_suffix_after_a_cue_names_nothing(text: str) -> None:
    """A genitive suffix with no stem (a stranger's text) leaves no name and no error."""
    assert said(text, text) == {}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Aa '’:;,()-–/<>\nMr.sviaclientbetweenandwho")),
               max_size=60))
def test_said_takes_any_text(text: str) -> None:
    """Whatever a stranger writes around the cue words, said() answers with names."""
    found = said(text, text)
    assert all(name and kind in (CLIENT, PERSON, VIA) for name, kind in found.items())


@pytest.mark.parametrize(("summary", "description", "organizer", "expected"), [
    # A household hires: the family is the employer, not the place or the agency.
    ("Babysitter interview with the Okafor-Lind family (Riverside)", "", "", "Okafor-Lind family"),
    ("Kinderbetreuung – Kennenlernen bei Familie Brandauer (Pankow)", "", "", "Familie Brandauer"),
    ("Interview: House Manager (private residence) – Northbridge Agency",
     "Hi Sam,\n\nThe Ashworth family would like to meet you on Friday.",
     "jo@northbridge-agency.com", "Ashworth family"),
])
def test_a_family_is_the_employer(summary: str, description: str, organizer: str,
                                  expected: str) -> None:
    assert company(summary, description, organizer) == expected


def test_a_hiring_platforms_mailbox_names_no_person() -> None:
    """olivia.brightmart@ a hiring platform is its assistant for a tenant, not a person."""
    assert person_words(["olivia.brightmart@paradox.ai"]) == frozenset()
    assert person_words(["olivia.brightmart@brightmart.com"]) >= {"olivia", "brightmart"}


@pytest.mark.parametrize(("summary", "expected"), [
    # A person with whom the event is, and in brackets whom they work for.
    ("Videollamada con Lucía (Tramuntana)", "Tramuntana"),
    ("Kaffee – Jonas (Brennholz Talent Team)", "Brennholz"),
    # A company and a place in brackets: no person there.
    ("Phone screen – Velmora (Lisbon)", "Velmora"),
])
def test_a_person_and_their_employer_in_brackets(summary: str, expected: str) -> None:
    assert company(summary) == expected


@pytest.mark.parametrize(("summary", "expected"), [
    # "Client" in a job title or in "customer service" names no client.
    ("Interview – Client Services Manager – Orvane Bank", "Orvane Bank"),
    ("Client Partner screen – Halvard & Moss", "Halvard & Moss"),
    ("Entrevista – Atención al Cliente Bilingüe – Telvida", "Telvida"),
])
def test_client_in_a_role_names_no_client(summary: str, expected: str) -> None:
    assert CLIENT not in said(summary, "").values()
    assert company(summary) == expected


def test_walking_through_a_company_is_no_go_between() -> None:
    assert VIA not in said("", "We'll walk you through Brennholz's process, then talk through "
                               "Brennholz Digital's stack.").values()
    assert said("", "Sent via Hireflow")["Hireflow"] == VIA
