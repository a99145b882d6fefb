"""Microsoft Graph (Microsoft 365, Outlook.com): the adapter, the msal sign-in, the HTTP client."""

from providers.msgraph.adapter import GraphProvider

__all__ = ["GraphProvider"]
