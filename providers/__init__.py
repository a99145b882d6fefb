"""Provider adapters: the only code that talks to calendars. See ``providers.base``."""
