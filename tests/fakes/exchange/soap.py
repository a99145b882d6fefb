"""SOAP plumbing of the fake EWS server: namespaces, envelopes, response messages, faults.

Shapes follow Microsoft's EWS reference: every operation answers ``<m:XResponse>`` holding
``<m:ResponseMessages>`` with one ``<m:XResponseMessage ResponseClass="...">`` per input;
errors carry ``MessageText``, ``ResponseCode``, ``DescriptiveLinkKey`` and sometimes
``MessageXml``. Server-wide refusals (throttling, a bad request) are SOAP faults instead.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from xml.etree import ElementTree as ET

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"
E = "http://schemas.microsoft.com/exchange/services/2006/errors"
for _prefix, _uri in (("s", SOAP), ("m", M), ("t", T), ("e", E)):
    ET.register_namespace(_prefix, _uri)


def m(name: str) -> str:
    """A qualified name in the messages namespace."""
    return f"{{{M}}}{name}"


def t(name: str) -> str:
    """A qualified name in the types namespace."""
    return f"{{{T}}}{name}"


def local(tag: str) -> str:
    """The local part of a qualified tag."""
    return tag.rsplit("}", 1)[-1]


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """Append a child element with optional text and attributes; returns it."""
    child = ET.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        child.text = text
    return child


class EwsError(Exception):
    """One failed response message: its ResponseCode and MessageText."""

    def __init__(self, code: str, text: str, xml: dict[str, str] | None = None):
        super().__init__(text)
        self.code = code
        self.text = text
        self.xml = xml or {}


class SoapFault(Exception):
    """A request refused as a whole: a SOAP fault with an EWS error code (HTTP 500)."""

    def __init__(self, code: str, text: str, back_off_ms: int | None = None, status: int = 500):
        super().__init__(text)
        self.code = code
        self.text = text
        self.back_off_ms = back_off_ms
        self.status = status


def envelope(body_child: ET.Element) -> bytes:
    """A complete response envelope with the ServerVersionInfo header of Exchange 2016."""
    root = ET.Element(f"{{{SOAP}}}Envelope")
    header = sub(root, f"{{{SOAP}}}Header")
    sub(header, t("ServerVersionInfo"), MajorVersion="15", MinorVersion="1",
        MajorBuildNumber="2507", MinorBuildNumber="6", Version="V2017_07_11")
    body = sub(root, f"{{{SOAP}}}Body")
    body.append(body_child)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")


def fault(error: SoapFault) -> bytes:
    """A SOAP fault as Exchange sends for throttling and malformed requests."""
    root = ET.Element(f"{{{SOAP}}}Envelope")
    body = sub(root, f"{{{SOAP}}}Body")
    node = sub(body, f"{{{SOAP}}}Fault")
    sub(node, "faultcode", f"a:{error.code}")
    sub(node, "faultstring", error.text)
    detail = sub(node, "detail")
    sub(detail, f"{{{E}}}ResponseCode", error.code)
    sub(detail, f"{{{E}}}Message", error.text)
    if error.back_off_ms is not None:
        xml = sub(detail, t("MessageXml"))
        sub(xml, t("Value"), str(error.back_off_ms), Name="BackOffMilliseconds")
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")


def response(operation: str) -> tuple[ET.Element, ET.Element]:
    """The ``<m:XResponse>`` element and its ``<m:ResponseMessages>`` container."""
    outer = ET.Element(m(f"{operation}Response"))
    return outer, sub(outer, m("ResponseMessages"))


def success(messages: ET.Element, operation: str) -> ET.Element:
    """Append a successful ``<m:XResponseMessage>``; returns it for the payload."""
    node = sub(messages, m(f"{operation}ResponseMessage"), ResponseClass="Success")
    sub(node, m("ResponseCode"), "NoError")
    return node


def failure(messages: ET.Element, operation: str, error: EwsError) -> ET.Element:
    """Append a failed ``<m:XResponseMessage>``; returns it (some operations add elements)."""
    node = sub(messages, m(f"{operation}ResponseMessage"), ResponseClass="Error")
    sub(node, m("MessageText"), error.text)
    sub(node, m("ResponseCode"), error.code)
    sub(node, m("DescriptiveLinkKey"), "0")
    if error.xml:
        xml = sub(node, m("MessageXml"))
        for name, value in error.xml.items():
            sub(xml, t("Value"), value, Name=name)
    return node


def parse_datetime(text: str) -> datetime:
    """An xs:dateTime as EWS clients send it (``Z``, an offset, or none = UTC); aware."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def format_datetime(value: datetime) -> str:
    """A datetime as EWS returns it: UTC with ``Z``."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(text: str) -> date:
    """An xs:date, possibly with an offset suffix as EWS allows (``2026-12-01Z``)."""
    return date.fromisoformat(text.strip()[:10])
