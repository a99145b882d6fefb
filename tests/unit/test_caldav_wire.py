"""providers.caldav.wire reads a sync-collection answer as the library does, or declines."""

from __future__ import annotations

from providers.caldav.wire import _listed, nothing_new

URL = "http://dav.test/alice/work/"


def answer(*responses: str, token: str = "http://dav.test/sync/2") -> bytes:
    body = "".join(responses) + (f"<D:sync-token>{token}</D:sync-token>" if token else "")
    return f'<?xml version="1.0"?><D:multistatus xmlns:D="DAV:">{body}</D:multistatus>'.encode()


def member(href: str, etag: str) -> str:
    return (f"<D:response><D:href>{href}</D:href><D:propstat><D:prop><D:getetag>{etag}</D:getetag>"
            "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>")


def removed(href: str) -> str:
    return f"<D:response><D:href>{href}</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>"


def test_an_empty_answer_is_nothing_new_with_the_new_token() -> None:
    changed, deleted, token = _listed(answer(), URL) or ({}, [], "")
    assert (changed, deleted, token) == ({}, [], "http://dav.test/sync/2")
    assert nothing_new(changed, deleted, {"/alice/work/a.ics": '"1"'})


def test_members_and_removals_are_read_with_unquoted_hrefs() -> None:
    listed = _listed(answer(member("/alice/work/a%20b.ics", '"2"'), removed("/alice/work/c.ics"),
                            member("/alice/work/", '"x"')), URL)
    assert listed == ({"/alice/work/a b.ics": '"2"'}, ["/alice/work/c.ics"], "http://dav.test/sync/2")
    assert not nothing_new(*listed[:2], {"/alice/work/a b.ics": '"2"'})  # a removal is news


def test_our_own_writes_read_back_are_nothing_new_but_another_etag_is() -> None:
    changed = {"/alice/work/syncd-1.ics": '"7"'}
    assert nothing_new(changed, [], {"/alice/work/syncd-1.ics": '"7"'})
    assert not nothing_new(changed, [], {"/alice/work/syncd-1.ics": '"6"'})
    assert not nothing_new({"/alice/work/x.ics": ""}, [], {"/alice/work/x.ics": ""})


def test_a_truncated_or_tokenless_or_broken_answer_goes_to_the_library() -> None:
    truncated = ("<D:response><D:href>/alice/work/</D:href>"
                 "<D:status>HTTP/1.1 507 Insufficient Storage</D:status></D:response>")
    assert _listed(answer(member("/alice/work/a.ics", '"1"'), truncated), URL) is None
    assert _listed(answer(token=""), URL) is None
    assert _listed(b"<D:multistatus", URL) is None


def test_entities_in_a_hostile_answer_are_not_expanded() -> None:
    laughs = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
              '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
              '<D:multistatus xmlns:D="DAV:"><D:sync-token>&c;</D:sync-token></D:multistatus>')
    listed = _listed(laughs.encode(), URL)
    assert listed is None or len(listed[2]) < 100
