"""The company's name as the invitation writes it: its letter case, the brand rather than its
branch, the full name rather than a short one.

Every event here is made up for these tests, in words and languages of its own.
"""

from __future__ import annotations

from syncd.company_features import branch_tail, place_words
from syncd.company_script import foreign_skeleton, romanize, skeleton
from syncd.detect import Detector, Rules, classify
from syncd.company_full import completes, in_full
from syncd.detect_company import candidates, names_in_full

ME = "ines.varga@gmail.com"


def company(summary: str, description: str = "", location: str = "", organizer: str = "") -> str:
    """The company named for an event taken as an interview (the detector is not asked)."""
    return classify(summary, description, location, organizer, [],
                    Rules(self_addresses=(ME,), include=(".",))).company


def names(summary: str, description: str = "", location: str = "", organizer: str = "",
          ) -> set[str]:
    parties = Detector(Rules(self_addresses=(ME,))).parties(organizer, [ME])
    return set(candidates(summary, description, location, parties, [ME]))


# --- Letter case and spacing: the event's own, never the domain's guess -----------------------


def test_a_lower_case_name_is_not_capitalised_from_the_domain() -> None:
    found = names("Kennismaking – Junior Planner | zuvo", organizer="werving@zuvo.nl")
    assert "zuvo" in found and "Zuvo" not in found
    found = names("Entrevista – ktb – Analista de Dados", organizer="talentos@ktb.com.br")
    assert "ktb" in found and "KTB" not in found


def test_the_domain_confirms_a_name_spelled_with_spaces_or_inner_capitals() -> None:
    found = names("Freelance interview between Ana Sousa and Pietro Landi",
                  "Marlow Print is hiring a designer for its spring catalogue.",
                  organizer="pietro@marlowprint.co")
    assert "Marlow Print" in found and "Marlowprint" not in found
    found = names("Entrevista – eLinha – Pessoa Analista", organizer="rh@elinha.com.br")
    assert "eLinha" in found and "Elinha" not in found


def test_the_domain_alone_still_names_what_the_text_does_not() -> None:
    assert "Quillory" in names("Round 2 of 4 · System Design", organizer="jo@quillory.com")


def test_a_name_in_another_script_is_confirmed_by_a_latin_domain() -> None:
    # 누리솔 reads "nurisol", the domain's label: the Korean spelling stays, no guess is added.
    found = names("[누리솔] 1차 면접 안내", "누리솔 채용팀 드림", organizer="recruit@nurisol.com")
    assert "누리솔" in found and "Nurisol" not in found


def test_scripts_are_read_by_rule_and_compared_by_their_consonants() -> None:
    assert romanize("누리솔") == "nurisol"
    assert romanize("タマリ") == "tamari" and romanize("たまり") == "tamari"
    assert romanize("Зорька") == "zorka"
    # A company romanises its name its own way; the consonants agree.
    assert skeleton("hanbit") == skeleton(romanize("한빛")) and skeleton("hanbit") == "npt"
    assert foreign_skeleton("タマリ") == skeleton("tamari")
    assert foreign_skeleton("Tamari") == "" and foreign_skeleton("青禾") == ""


# --- A brand, not its branch, store, office or site ------------------------------------------


def test_the_brand_of_a_branch_by_its_words() -> None:
    assert branch_tail("Brotwerk Lager", frozenset()) == "Brotwerk"
    assert branch_tail("Kuzey Kargo Genel Müdürlük", frozenset()) == "Kuzey Kargo"
    assert branch_tail("Ferreira Têxteis Escritório", frozenset()) == "Ferreira Têxteis"
    assert branch_tail("モリノ珈琲 吉祥寺店", frozenset()) == "モリノ珈琲"
    assert branch_tail("Halden Motoren Ausbildungszentrum", frozenset()) == "Halden Motoren"
    # Nothing to trim, or nothing left that names anyone.
    assert branch_tail("Brotwerk", frozenset()) == ""
    assert branch_tail("district office", frozenset()) == ""
    assert branch_tail("Gemeente Zwolle", frozenset({"zwolle"})) == ""


def test_a_place_the_address_or_the_mailbox_names_ends_a_brand() -> None:
    places = place_words("Pekarna Lipa Vrhnika, Tržaška 4, 1360 Vrhnika",
                         "zaposlitev.vrhnika@pekarnalipa.si")
    assert "vrhnika" in places and branch_tail("Pekarna Lipa Vrhnika", places) == "Pekarna Lipa"
    assert branch_tail("Pekarna Lipa", places) == ""


def test_an_interview_at_a_store_names_the_brand() -> None:
    assert company("Entretien – Maison Ribot Villeurbanne – vendeur",
                   location="Maison Ribot Villeurbanne, 12 rue Paul Bert, 69100 Villeurbanne",
                   organizer="recrutement@maisonribot.fr") == "Maison Ribot"
    assert company("Vorstellungsgespräch – Brotwerk Lager (Fahrer)") == "Brotwerk"
    assert company("モリノ珈琲 吉祥寺店 アルバイト面接") == "モリノ珈琲"


# --- A short name and the full name the same event or process spells ------------------------


def test_a_full_name_adds_organisation_words_not_a_store_team_or_programme() -> None:
    assert completes("Bramwell County", "Bramwell County College")
    assert completes("Sinar Laut", "PT Sinar Laut") and completes("Olmedo", "Grupo Olmedo")
    assert completes("Quell", "Quell Tech") and completes("Kessler", "Kessler Klinik")
    assert not completes("Norrland", "Norrland Supercenter")
    assert not completes("Quell", "Quell Staff Software")
    assert not completes("Olmedo", "Talento Olmedo")
    assert not completes("Kessler", "Kessler Regional Office")


def test_the_title_short_name_takes_the_full_name_the_location_opens_with() -> None:
    assert company("Phone screen – Bramwell County (Lab Technician)",
                   location="Bramwell County College, 14 Mill Rd, Dunmore") == (
        "Bramwell County College")
    assert company("entrevista – Olmedo (almacén)",
                   location="Grupo Olmedo, Calle Mayor 5, Albacete") == "Grupo Olmedo"
    assert company("Vorstellungsgespräch – Kessler",
                   location="Kessler Klinik Haupteingang, Bahnhofstr. 2") == "Kessler Klinik"


def test_the_in_full_rule_needs_the_longer_name_on_its_own() -> None:
    found = {"Harlow": {"span:whole": 1.0}, "Harlow Hospital": {"src:text": 1.0}}
    assert in_full("Harlow", found) == "Harlow"  # inside a sentence's run only
    found["Harlow Hospital"]["loc:first"] = 1.0
    assert in_full("Harlow", found) == "Harlow Hospital"
    found["Harlow Hospital"]["person"] = 1.0
    assert in_full("Harlow", found) == "Harlow"


def test_a_process_named_after_its_legal_form_once_is_named_so_throughout() -> None:
    assert names_in_full([("Sinar", ""), ("PT Sinar Laut Digital", "sinarlaut.id")]) == [
        "PT Sinar Laut Digital"] * 2
    # Nested full names: the widest one holds the others.
    assert names_in_full([("Kemuning Tani", ""), ("PT Kemuning Tani Lestari", ""),
                          ("Kemuning Tani Lestari", "")]) == ["PT Kemuning Tani Lestari"] * 3


# --- More of the event's own spelling ---------------------------------------------------------


def test_the_domain_confirms_the_first_words_of_a_longer_span() -> None:
    # "Harbor Mutual Claims" is a department; the domain spells "Harbor Mutual" of it.
    found = names("Internal interview – Team Lead", "Kim Lee\nHR Partner | Harbor Mutual Claims",
                  organizer="kim.lee@harbormutual.com")
    assert "Harbor Mutual" in found and "Harbormutual" not in found


def test_kana_without_the_r_that_english_spells() -> None:
    # "パークス" is how Japanese writes "parks": the domain's r before a consonant is silent.
    found = names("パークス 新宿店 アルバイト面接", organizer="shinjuku@parks.co.jp")
    assert "パークス" in found and "Parks" not in found


def test_a_title_in_capitals_takes_the_case_the_location_writes() -> None:
    found = names("INTERVIEW - NORTHWIND CARGO 6AM", location="NorthWind Cargo, 12 Dock Rd")
    assert "NorthWind Cargo" in found and "NORTHWIND CARGO" not in found
    assert "unshouted" in candidates_of("INTERVIEW - NORTHWIND CARGO 6AM",
                                        "NorthWind Cargo, 12 Dock Rd")["NorthWind Cargo"]


def test_legal_forms_and_buildings_are_not_part_of_the_name() -> None:
    assert "Brightwater Capital" in names("Superday – Brightwater Capital & Co.")
    assert branch_tail("Gedung Sinar Laut", frozenset()) == "Sinar Laut"
    assert branch_tail("Tòa nhà Sao Mai", frozenset()) == "Sao Mai"


def test_the_town_the_address_names_is_marked_a_place() -> None:
    found = candidates_of("colloquio Bertani – Fiorano", "Bertani S.r.l., Via Roma 4, Fiorano")
    assert "place" in found["Fiorano"] and "place" not in found["Bertani"]


def candidates_of(summary: str, location: str, organizer: str = "",
                  ) -> dict[str, dict[str, float]]:
    parties = Detector(Rules(self_addresses=(ME,))).parties(organizer, [ME])
    return candidates(summary, "", location, parties, [ME])


def test_the_domain_confirms_the_brand_of_a_programme_team_or_town() -> None:
    found = candidates_of("Brightwater Future Talent Day – Assessment", "",
                          organizer="events@brightwater.com")
    assert "Brightwater" in found and "Brightwater Future Talent" not in found
    assert "domain-trimmed" in found["Brightwater"]
    # An organisation noun, a legal form or a joiner makes one name of it.
    for whole in ("Hotel Brightwater Lisboa", "Brightwater AS", "Brightwater & Lowe"):
        assert whole in candidates_of(f"Entrevista – {whole}", "",
                                      organizer="rh@brightwater.com")


def test_the_title_spells_the_full_name_the_location_opens_with() -> None:
    assert company("INTERVIEW HOME GARDEN MART 9AM",
                   location="The Home Garden Mart, 45 W Lake Ave") == "The Home Garden Mart"
    # Interview words are no part of a name, even when the title spells them.
    assert company("Invitation: Interview w/ Quillory (Round 1)",
                   organizer="jo@quillory.com") == "Quillory"


def test_capitals_hide_where_a_name_ends_too() -> None:
    found = candidates_of("INTERVIEW - NORTHWIND CARGO PKG HANDLER", "NorthWind Cargo Hub, Dock Rd")
    assert "NorthWind Cargo" in found and "NORTHWIND CARGO PKG" not in found


def test_a_common_noun_in_lower_case_is_no_company() -> None:
    found = candidates_of("Brennan market pharmacy – interview", "")
    assert "pharmacy" not in found and "Brennan" in found
    assert "district office" not in candidates_of("sub teacher interview – district office", "")


def test_an_acronym_takes_the_name_whose_initials_it_is() -> None:
    assert company("sollicitatie KB", location="Koffie Bakker, Oudegracht 12, Utrecht") == (
        "Koffie Bakker")
    found = {"KB": {"span:whole": 1.0}, "Kees Bos": {"loc:first": 1.0, "person": 1.0}}
    assert in_full("KB", found) == "KB"  # a person's initials are no company's


def test_an_address_word_is_marked_a_place_but_a_mailbox_word_is_not() -> None:
    found = candidates_of("colloquio Bertani – Fiorano", "Bertani S.r.l., Via Roma 4, Fiorano",
                          organizer="fiorano@bertani.it")
    assert "place" in found["Fiorano"] and "place" not in found["Bertani"]


def test_an_exclamation_mark_the_event_always_writes_is_part_of_the_name() -> None:
    found = candidates_of("Interview with Yodel! – Product Designer", "")
    assert "Yodel!" in found and "Yodel" not in found
    # A sentence's exclamation is not.
    found = names("Interview – Yodel", "Looking forward to meeting Yodel!\nThe Yodel team")
    assert "Yodel" in found and "Yodel!" not in found


def test_a_word_with_inner_capitals_that_holds_the_domain_is_its_spelling() -> None:
    found = names("Colloquio – Buyer | NordHavnGruppen", organizer="hr@havngruppen.no")
    assert "NordHavnGruppen" in found and "Havngruppen" not in found


def test_an_abbreviation_keeps_its_dot() -> None:
    found = candidates_of("RN interview – St. Brigid's 3 North", "St. Brigid's Hospital, Elm Rd")
    assert "St. Brigid's Hospital" in found and "St Brigid's Hospital" not in found
    assert "in-no-field" not in found["St. Brigid's Hospital"]
    assert "Ferrante" in candidates_of("colloquio – Ferrante S.p.A.", "")  # a legal form still goes


# --- A town that is part of the registered name; a branch named after a word for it ------------


def test_a_town_the_domain_spells_or_a_legal_form_follows_stays_in_the_name() -> None:
    where = "Hafenweg 3, 24937 Flensburg"
    assert company("Vorstellungsgespräch – Stadtwerke Flensburg", location=where,
                   organizer="personal@stadtwerke-flensburg.example") == "Stadtwerke Flensburg"
    assert company("Vorstellungsgespräch bei der Nordlicht Flensburg GmbH", location=where,
                   organizer="m.jensen.hr@gmail.com") == "Nordlicht Flensburg"


def test_a_branch_named_after_a_word_for_it_gives_the_brand() -> None:
    assert branch_tail("Banque Ardoise Agence Nantes Graslin", frozenset()) == "Banque Ardoise"
    assert branch_tail("Kavarna Filiale Altstadt", frozenset()) == "Kavarna"
    assert branch_tail("Local 12 Union", frozenset()) == ""  # a number names no branch
