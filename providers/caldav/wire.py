"""The CalDAV wire format without the CalDAV library: hrefs, multistatus answers, and the one
sync-collection REPORT (RFC 6578) of an idle sync.

Loading the ``caldav`` library and the HTTP client under it costs more than the REPORT an idle
calendar needs, so :func:`listing` sends that REPORT with the standard library's client and
reads the answer with lxml. Measured in this project's environment, making a client costs
about 20 ms with ``urllib.request``, against about 200 ms with requests or niquests and more
with httpx (httpcore loads trio and anyio when they are installed). It reads only a whole 207
answer with a token; anything else (an error, a refused sign-in, a redirect, a truncated list)
sends the caller to the library, which reads it again and words any error, so what a sync does
is the same whichever path it took.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

log = logging.getLogger(__name__)

CTAG_PREFIX = "ctag:"  # our own token for servers without sync-collection
HREF_SAFE = "/@:+,;="  # characters left as they are when an href is quoted again
GETETAG = "{DAV:}getetag"
RESPONSE, HREF, STATUS = "{DAV:}response", "{DAV:}href", "{DAV:}status"
PROPSTAT, PROP = "{DAV:}propstat", "{DAV:}prop"
XML_TYPE = 'application/xml; charset="utf-8"'
MAX_ERROR = 64 * 1024  # bytes of an error answer kept, for the preconditions it names
MAX_ANSWER = 256 * 1024  # bytes: an idle answer lists nothing; a longer one is a change list
SYNC_REPORT = ('<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">'
               "<D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>"
               "<D:prop><D:getetag/></D:prop></D:sync-collection>")


def href_of(url: object) -> str:
    """The unquoted server path of a URL or href: the adapter's one spelling of an href."""
    text = str(url)
    if text[:1] == "/" and text[1:2] != "/" and "?" not in text and "#" not in text:
        # already a path, as most servers send them: no parsing needed
        return unquote(text) if "%" in text else text
    return unquote(urlsplit(text).path)


def url_of(base: str, href: str) -> str:
    """The absolute, quoted URL of an href on the server of ``base``."""
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}{quote(href, safe=HREF_SAFE)}"


def responses_of(tree: Any) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(href, status, {property tag: text}) for each DAV:response of a multistatus, with
    the properties of its 200 propstats only (a propstat without a status counts as 200).
    Walks the parsed tree's children directly: for thousands of members this is several
    times faster than expanding DAVResponse properties, or searching each response."""
    if tree is None:
        return
    for response in tree.iterchildren(RESPONSE):
        yield response_of(response)


def response_of(response: Any) -> tuple[str, str, dict[str, str]]:
    """(href, status, {property tag: text}) of one DAV:response element (see :func:`responses_of`)."""
    href = status = None
    props: dict[str, str] = {}
    for child in response:
        tag = child.tag
        if tag == HREF and href is None:
            href = child.text or ""
        elif tag == STATUS and status is None:
            status = child.text or ""
        elif tag == PROPSTAT:
            _take_propstat(child, props)
    return href or "", status or "", props


def _take_propstat(propstat: Any, props: dict[str, str]) -> None:
    """Add the properties of one DAV:propstat to ``props`` if its status is 200."""
    found: dict[str, str] = {}
    ok = None
    for part in propstat:
        if part.tag == STATUS and ok is None:
            ok = " 200" in (part.text or " 200")
        elif part.tag == PROP:
            found.update((el.tag, el.text or "") for el in part)
    if ok is not False:
        props.update(found)


class Declined(Exception):
    """The quick path does not handle this answer (an error status, a redirect, a sign-in
    other than basic, a broken or oversized answer): the library asks again and words any error.
    ``status``, ``headers`` and (the start of) ``body`` are the HTTP answer's, when there was one."""

    def __init__(self, reason: str, status: int | None = None, headers: Any = None,
                 body: bytes = b""):
        super().__init__(reason)
        self.status = status
        self.headers = headers if headers is not None else {}
        self.body = body


class Link:
    """Requests to one account's server through the standard library's client.

    ``scheme`` is how the server wants ``credentials`` (user, password): "basic", "digest",
    "bearer" (the password is the token) or "none"; None while not known: the first request
    then goes without them, as the library's does, and a 401 offering Basic is answered with
    Basic (one offering Digest is left to the library, which prefers Digest). Redirects are
    never followed. ``scheme`` holds what the server accepted once a request succeeded.
    """

    def __init__(self, url: str, scheme: str | None, credentials: tuple[str, str], verify: bool,
                 timeout: float):
        self.url = url
        self.scheme = scheme
        self.credentials = credentials
        self.verify = verify
        self.timeout = timeout
        self._client: Any = None

    def open(self, method: str, url: str, body: bytes | None, headers: Mapping[str, str]) -> Any:
        """Send one request; return its answer, open, when the status is 2xx.
        Raises :class:`Declined` for any other status or any failure."""
        import http.client
        import urllib.error
        import urllib.request

        request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
        if self.scheme in ("basic", "bearer"):
            request.add_header("Authorization", self._authorization())
        try:
            answer = self._opener().open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            with exc:
                text = exc.read(MAX_ERROR) if exc.fp is not None else b""
            if exc.code == 401 and self.scheme is None and self._challenged(exc.headers):
                return self.open(method, url, body, headers)
            raise Declined(f"HTTP {exc.code}", exc.code, exc.headers, text) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            raise Declined(type(exc).__name__) from None
        if self.scheme is None:
            self.scheme = "none"  # the server answered without asking who we are
        return answer

    def _authorization(self) -> str:
        user, password = self.credentials
        if self.scheme == "bearer":
            return f"Bearer {password}"
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")

    def _challenged(self, headers: Any) -> bool:
        """Take Basic when a 401 offers it, credentials are at hand and Digest is not offered."""
        offered = {part.split()[0].lower() for value in headers.get_all("WWW-Authenticate") or ()
                   for part in value.split(",") if part.strip()}
        if not all(self.credentials) or "digest" in offered or "basic" not in offered:
            return False
        self.scheme = "basic"
        return True

    def _opener(self) -> Any:
        if self._client is None:
            digest = self.scheme == "digest"
            self._client = _opener(self.url, "digest" if digest else "none", self.credentials,
                                   self.verify)
        return self._client


def listing(url: str, token: str, scheme: str, credentials: tuple[str, str], verify: bool,
            timeout: float) -> tuple[dict[str, str], list[str], str] | None:
    """What the sync-collection REPORT since ``token`` lists: (href -> ETag of the members
    changed, hrefs removed, the new token); None for any answer but a whole 207 multistatus
    with a token, or any failure: then ask the library, which words the error.

    ``scheme`` is how the server wants ``credentials`` (user, password): "basic", "digest",
    "bearer" (the password is the token) or "none".
    """
    import http.client
    from xml.sax.saxutils import escape  # here: a first sync sends no sync REPORT

    link = Link(url, scheme, credentials, verify, timeout)
    body = SYNC_REPORT.format(token=escape(token)).encode()
    try:
        with link.open("REPORT", url, body, {"Depth": "1", "Content-Type": XML_TYPE}) as answer:
            text = answer.read(MAX_ANSWER + 1)
            if answer.status != 207 or len(text) > MAX_ANSWER:
                return None
    except (Declined, http.client.HTTPException, OSError) as exc:
        log.debug("the quick sync-collection REPORT failed (%s); asking the library",
                  type(exc).__name__)
        return None
    return _listed(text, url)


def _opener(url: str, scheme: str, credentials: tuple[str, str], verify: bool) -> Any:
    """The standard library's client, signing in by digest when ``scheme`` says so (when
    challenged), checking certificates unless ``verify`` is off, using the environment's
    proxies, following no redirect."""
    import urllib.request

    handlers: list[Any] = [_no_redirect()]
    if url[:6].lower() == "https:":  # a plain http server needs no certificate store
        handlers.append(urllib.request.HTTPSHandler(context=_tls_context(verify)))
    if scheme == "digest":
        realm = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        realm.add_password(None, url, *credentials)
        handlers.append(urllib.request.HTTPDigestAuthHandler(realm))
    return urllib.request.build_opener(*handlers)


@lru_cache(maxsize=2)
def _tls_context(verify: bool) -> Any:
    """The TLS settings of every request (loading the certificate store takes about 20 ms,
    more than an idle REPORT: made once per process). Checks certificates unless ``verify``
    is off."""
    import ssl

    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _no_redirect() -> Any:
    """A handler that leaves a redirect as its status: the library decides where to go."""
    import urllib.request

    handler = urllib.request.HTTPRedirectHandler()
    handler.redirect_request = lambda *args, **kwargs: None  # type: ignore[method-assign]
    return handler


def nothing_new(changed: Mapping[str, str], deleted: list[str], known: Mapping[str, str]) -> bool:
    """True when a listing holds no removal and only members ``known`` holds with the same
    ETag (our own writes, read back): the library would fetch nothing."""
    return not deleted and all(etag and known.get(href) == etag for href, etag in changed.items())


def _listed(text: bytes, url: str) -> tuple[dict[str, str], list[str], str] | None:
    """(changed, removed, token) of a sync-collection multistatus, as the library reads it."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        tree = etree.fromstring(text, parser)
    except etree.XMLSyntaxError:
        return None
    base = href_of(url).rstrip("/")
    changed: dict[str, str] = {}
    deleted: set[str] = set()
    for href, status, props in responses_of(tree):
        path = href_of(href)
        if path.rstrip("/") == base:
            if " 507" in status:
                return None  # truncated: the library follows the rest
        elif " 404" in status:
            deleted.add(path)
        else:
            changed[path] = props.get(GETETAG, "")
    token = tree.findtext("{DAV:}sync-token")
    if not token:
        return None
    return {h: e for h, e in changed.items() if h not in deleted}, sorted(deleted), token
