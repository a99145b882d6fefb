"""Reading a DAV multistatus answer: the 200 properties of each response, its href as a path."""

from __future__ import annotations

from lxml import etree

from providers.caldav.wire import href_of, responses_of

ANSWER = b"""<?xml version="1.0"?>
<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:response><D:href>/cal/a.ics</D:href>
    <D:propstat><D:prop><D:getetag>"1"</D:getetag><C:calendar-data>A</C:calendar-data></D:prop>
      <D:status>HTTP/1.1 200 OK</D:status></D:propstat>
    <D:propstat><D:prop><D:displayname/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status>
    </D:propstat></D:response>
  <D:response><D:href>/cal/b%20c.ics</D:href><D:href>/cal/ignored.ics</D:href>
    <D:propstat><D:prop><D:getetag>"2"</D:getetag></D:prop></D:propstat></D:response>
  <D:response><D:href>http://host:8/cal/gone.ics</D:href>
    <D:status>HTTP/1.1 404 Not Found</D:status></D:response>
</D:multistatus>"""


def test_each_response_gives_its_first_href_its_status_and_its_200_properties():
    got = [(href_of(h), s, p) for h, s, p in responses_of(etree.XML(ANSWER))]
    assert got == [
        ("/cal/a.ics", "", {"{DAV:}getetag": '"1"',
                            "{urn:ietf:params:xml:ns:caldav}calendar-data": "A"}),
        ("/cal/b c.ics", "", {"{DAV:}getetag": '"2"'}),  # a propstat without status counts
        ("/cal/gone.ics", "HTTP/1.1 404 Not Found", {}),
    ]


def test_href_of_keeps_plain_paths_and_parses_the_rest():
    assert href_of("/cal/a.ics") == "/cal/a.ics"
    assert href_of("/cal/a%40b.ics") == "/cal/a@b.ics"
    assert href_of("https://host/cal/x.ics?q=1#f") == "/cal/x.ics"
    assert href_of("//host/cal/x.ics") == "/cal/x.ics"
    assert responses_of(None) is not None and list(responses_of(None)) == []
