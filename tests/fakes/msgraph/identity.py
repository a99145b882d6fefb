"""The Microsoft identity platform endpoints msal talks to, for one public client.

- ``GET /{tenant}/v2.0/.well-known/openid-configuration``: the OpenID discovery document;
- ``GET /common/discovery/instance``: instance discovery (msal asks it for unknown hosts);
- ``POST /{tenant}/oauth2/v2.0/devicecode``: starts the device-code flow (RFC 8628);
- ``POST /{tenant}/oauth2/v2.0/token``: the ``device_code`` and ``refresh_token`` grants,
  answering ``authorization_pending`` while the user has not entered the code yet, and
  ``invalid_grant`` for a refused refresh token. Answers carry an ID token (unsigned: msal no
  longer validates it) and ``client_info``, from which msal builds the cached account.
msal insists on https, so these are served on a TLS listener with a throw-away certificate.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

CLIENT_ID = "11111111-2222-3333-4444-555555555555"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
USER_OID = "00000000-0000-0000-66f3-3332eca7ea81"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
GRAPH_SCOPES = ("Calendars.ReadWrite", "User.Read", "Mail.ReadWrite")


def graph_scopes(scope: str) -> set[str]:
    """The Graph permissions named in a scope string (short or https://graph... form)."""
    names = {s.rsplit("/", 1)[-1] for s in scope.split()}
    return {n for n in GRAPH_SCOPES if n in names}


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@dataclass
class Identity:
    """The sign-in service's state: issued tokens, pending device codes, switches."""

    username: str = "alex@contoso.example"
    access_tokens: set[str] = field(default_factory=set)
    scopes_of: dict[str, set[str]] = field(default_factory=dict)  # access token -> scopes
    consented: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    device_codes: dict[str, list[Any]] = field(default_factory=dict)  # code -> [pending, scope]
    device_requests: list[dict[str, str]] = field(default_factory=list)
    pending_polls: int = 0
    invalid_grant: bool = False
    expires_in: int = 3600
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def issue_access_token(self, scopes: set[str] | None = None) -> str:
        """A token the Graph API accepts, for ``scopes`` (default: every delegated one)."""
        token = "eyJ0eXAiOiJKV1Qi.fake-" + secrets.token_urlsafe(24)
        self.access_tokens.add(token)
        self.scopes_of[token] = scopes if scopes is not None else set(GRAPH_SCOPES)
        return token

    def discovery(self, base: str, tenant: str) -> dict[str, Any]:
        """The OpenID configuration of ``tenant`` under ``base`` (https://host:port)."""
        root = f"{base}/{tenant}"
        return {"issuer": f"{base}/{TENANT_ID}/v2.0",
                "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                "token_endpoint": f"{root}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
                "jwks_uri": f"{root}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "code id_token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "tenant_region_scope": "EU"}

    def device_code(self, form: dict[str, str], base: str) -> tuple[int, dict[str, Any]]:
        """Start a device-code sign-in."""
        self.device_requests.append({k: v for k, v in form.items() if k in ("client_id", "scope")})
        if form.get("client_id") != CLIENT_ID:
            return 400, {"error": "unauthorized_client",
                         "error_description": "AADSTS700016: Application not found."}
        code = secrets.token_urlsafe(32)
        self.device_codes[code] = [self.pending_polls, form.get("scope", "")]
        user_code = secrets.token_hex(4).upper()
        return 200, {"device_code": code, "user_code": user_code,
                     "verification_uri": f"{base}/devicelogin", "expires_in": 900, "interval": 1,
                     "message": f"To sign in, use a web browser to open the page {base}/devicelogin "
                                f"and enter the code {user_code} to authenticate."}

    def token(self, form: dict[str, str], base: str) -> tuple[int, dict[str, Any]]:
        """The token endpoint."""
        self.token_requests.append({k: v for k, v in form.items()
                                    if k in ("grant_type", "client_id", "scope")})
        if form.get("client_id") != CLIENT_ID:
            return 400, {"error": "invalid_client", "error_description": "AADSTS700016"}
        grant = form.get("grant_type")
        if grant == DEVICE_GRANT:
            code = form.get("device_code", "")
            if code not in self.device_codes:
                return 400, {"error": "expired_token", "error_description": "AADSTS70020"}
            if self.device_codes[code][0] > 0:
                self.device_codes[code][0] -= 1
                return 400, {"error": "authorization_pending",
                             "error_description": "AADSTS70016: pending"}
            _, scope = self.device_codes.pop(code)
            self.consented |= graph_scopes(scope)
            return 200, self._answer(scope, base)
        if grant == "refresh_token":
            if self.invalid_grant or form.get("refresh_token") not in self.refresh_tokens:
                return 400, {"error": "invalid_grant",
                             "error_description": "AADSTS700082: The refresh token has expired "
                                                  "due to inactivity.", "suberror": "bad_token"}
            if not graph_scopes(form.get("scope", "")) <= self.consented:
                return 400, {"error": "invalid_grant", "suberror": "consent_required",
                             "error_description": "AADSTS65001: The user or administrator has "
                                                  "not consented to use the application."}
            return 200, self._answer(form.get("scope", ""), base)
        return 400, {"error": "unsupported_grant_type"}

    def _answer(self, scope: str, base: str) -> dict[str, Any]:
        refresh = "0.AXoA-fake-refresh-" + secrets.token_urlsafe(24)
        self.refresh_tokens.add(refresh)
        now = int(time.time())
        claims = {"aud": CLIENT_ID, "iss": f"{base}/{TENANT_ID}/v2.0", "iat": now, "nbf": now,
                  "exp": now + 3600, "name": "Alex Doe", "oid": USER_OID,
                  "preferred_username": self.username, "sub": uuid.uuid4().hex, "tid": TENANT_ID,
                  "ver": "2.0"}
        granted = " ".join(s for s in scope.split() if s not in ("openid", "profile"))
        return {"token_type": "Bearer", "scope": granted, "expires_in": self.expires_in,
                "ext_expires_in": self.expires_in,
                "access_token": self.issue_access_token(graph_scopes(scope)),
                "refresh_token": refresh,
                "id_token": f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{_b64(claims)}.",
                "client_info": _b64({"uid": USER_OID, "utid": TENANT_ID})}
