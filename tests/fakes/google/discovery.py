"""Request validation against the Calendar v3 discovery document shipped with
google-api-python-client: the method and path must name a documented method, every query
parameter must be documented for it (or global) and well-typed, and a request body may only
use documented fields (Google answers "Invalid JSON payload received. Unknown name" otherwise).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import googleapiclient

from tests.fakes.google.errors import bad_request

DOCUMENT = (Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
            / "calendar.v3.json")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@dataclass(frozen=True)
class Route:
    """One documented method: its id (``calendar.events.list``), HTTP verb and path pattern."""

    method_id: str
    verb: str
    pattern: re.Pattern[str]
    desc: dict[str, Any]


class Discovery:
    """The parsed discovery document and the checks derived from it."""

    def __init__(self, path: Path = DOCUMENT):
        self.doc = json.loads(path.read_text(encoding="utf-8"))
        self.service_path = "/" + self.doc["servicePath"]  # "/calendar/v3/"
        self.global_params = self.doc.get("parameters", {})
        self.routes = [self._route(m) for m in self._methods(self.doc)]

    @staticmethod
    def _methods(node: dict[str, Any]):
        for resource in node.get("resources", {}).values():
            yield from resource.get("methods", {}).values()
            yield from Discovery._methods(resource)

    @staticmethod
    def _route(desc: dict[str, Any]) -> Route:
        parts = re.split(r"(\{[^}]+\})", desc["path"])
        regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p)
                        for p in parts)
        return Route(desc["id"], desc["httpMethod"], re.compile(f"^{regex}$"), desc)

    def match(self, verb: str, path: str) -> tuple[Route, dict[str, str]]:
        """Find the documented method for ``verb path``; 400 when there is none."""
        if not path.startswith(self.service_path):
            raise bad_request(f"Unknown path {path}", reason="badRequest")
        rest = path[len(self.service_path):]
        for route in self.routes:
            found = route.pattern.match(rest)
            if found and route.verb == verb:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        raise bad_request(f"No method {verb} {path} in {self.doc.get('title', 'the API')}", reason="badRequest")

    def check_query(self, route: Route, query: dict[str, list[str]]) -> None:
        """Reject undocumented, repeated-but-single, badly typed or out-of-enum parameters."""
        params = route.desc.get("parameters", {})
        for name, values in query.items():
            spec = params.get(name) or self.global_params.get(name)
            if spec is None or spec.get("location", "query") != "query":
                raise bad_request(f"Unknown parameter: '{name}'", reason="badRequest",
                                  location=name)
            if len(values) > 1 and not spec.get("repeated"):
                raise bad_request(f"Parameter '{name}' given more than once", location=name)
            for value in values:
                _check_value(name, spec, value)

    def check_body(self, route: Route, body: Any) -> None:
        """Reject a body that is not an object or names fields the request schema lacks."""
        ref = (route.desc.get("request") or {}).get("$ref")
        if ref is None:
            if body is not None:
                raise bad_request("This method does not take a request body")
            return
        if not isinstance(body, dict):
            raise bad_request("Invalid JSON payload received: expected an object", reason="parseError")
        self._check_object(body, self.doc["schemas"][ref], "resource")

    def _check_object(self, value: Any, schema: dict[str, Any], where: str) -> None:
        if "$ref" in schema:
            schema = self.doc["schemas"][schema["$ref"]]
        kind = schema.get("type")
        if kind == "array" and isinstance(value, list):
            for i, item in enumerate(value):
                self._check_object(item, schema.get("items", {}), f"{where}[{i}]")
        elif kind == "object" and isinstance(value, dict):
            props, extra = schema.get("properties", {}), schema.get("additionalProperties")
            for key, item in value.items():
                sub = props.get(key) or extra
                if sub is None:
                    raise bad_request(f'Invalid JSON payload received. Unknown name "{key}" at '
                                      f"'{where}': Cannot find field.")
                self._check_object(item, sub, f"{where}.{key}")


def _check_value(name: str, spec: dict[str, Any], value: str) -> None:
    kind = spec.get("type")
    if kind == "boolean" and value not in ("true", "false"):
        raise bad_request(f"Invalid boolean value for '{name}': {value}", location=name)
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            raise bad_request(f"Invalid integer value for '{name}': {value}", location=name)
        number = int(value)
        low, high = spec.get("minimum"), spec.get("maximum")
        if (low is not None and number < int(low)) or (high is not None and number > int(high)):
            raise bad_request(f"Value out of range for '{name}': {value}", location=name)
    if "enum" in spec and value not in spec["enum"]:
        raise bad_request(f"Invalid value for '{name}': {value}", location=name)
    if spec.get("format") == "date-time" and not RFC3339.match(value):
        raise bad_request(f"Bad Request: '{name}' must be an RFC 3339 timestamp with an offset",
                          reason="badRequest", location=name)

