"""``syncd purge``: remove every event syncd created, from every account, then exit.

What to run before uninstalling. Each account is synced first, so the list is what the
calendars hold now; every deletion goes through :meth:`providers.base.Provider.delete`, which
refuses anything without the syncd marker, exactly as in a cycle. Follow-up drafts are mail,
not events: they stay where they are.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timedelta

from syncd.config import Config
from syncd.cycle import MARGIN, Engine
from syncd.errors import NotOwned, ProviderError
from syncd.escape import escape_controls
from syncd.model import Window
from syncd.plan import planning_window
from syncd.reconcile import Owned, in_place, owned_in
from syncd.state import State, open_state
from syncd.text import plural, when

log = logging.getLogger(__name__)
EX_OK, EX_TEMPFAIL = 0, 75
LOOK_BACK = timedelta(days=366)  # blocks of past interviews are syncd's too


def purge(config: Config, now: datetime, dry_run: bool) -> int:
    """Remove (or with ``dry_run`` list) every owned event; 75 if an account could not be synced."""
    state = State.open_copy(config.daemon["state_dir"]) if dry_run else open_state(config)
    engine = Engine(config, state, dry_run=dry_run)
    try:
        window = planning_window(config, now)
        outer = Window(min(window.start, now - LOOK_BACK), window.end + MARGIN)
        engine.start_clock()
        failed = list(engine.sync_accounts(now, outer, None))
        owned = [o for o in in_place(owned_in(state.items())) if o.account not in failed]
        names = {(c.account, c.id): c.name for c in state.calendars()}
        if dry_run:
            for o in owned:
                print(escape_controls(f"would remove {describe(o, names)}"))
        removed = len(owned) if dry_run else _remove(engine, state, owned)
    finally:
        engine.close()
        state.close()
    verb = "would remove" if dry_run else "removed"
    print(f"{verb} {plural(removed, 'event')} that syncd created"
          + (f"; {plural(len(failed), 'account')} could not be read: {', '.join(failed)}" if failed else ""))
    return EX_TEMPFAIL if failed or removed < len(owned) else EX_OK


def describe(o: Owned, names: dict[tuple[str, str], str]) -> str:
    """``home/Personal: prep 'Prep: Acme interview' (Thu 26 Nov 13:45)``."""
    kind = o.event.marker.kind if o.event.marker else "event"
    calendar = names.get((o.account, o.calendar), o.calendar)
    return f"{o.account}/{calendar}: {kind} '{o.event.summary}' ({when(o.event.start)})"


def _remove(engine: Engine, state: State, owned: list[Owned]) -> int:
    calendars = {(c.account, c.id): c for c in state.calendars()}
    names = {key: c.name for key, c in calendars.items()}
    removed = 0
    for o in owned:
        provider = engine.provider(engine.config.account(o.account))
        try:
            engine.call(o.account, provider.delete, calendars[(o.account, o.calendar)], o.item)
        except (ProviderError, NotOwned, KeyError) as exc:
            print(escape_controls(f"syncd: could not remove {describe(o, names)}: {exc}"), file=sys.stderr)
            continue
        state.drop_item(o.account, o.calendar, o.item.href)
        print(escape_controls(f"removed {describe(o, names)}"))
        removed += 1
    return removed
