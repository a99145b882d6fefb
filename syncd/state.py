"""The local state: a SQLite database (WAL) in ``daemon.state_dir``.

It holds a cache of what the calendars said (items, sync tokens, discovered calendars), which
the next cycle can rebuild from the calendars, and the owner's own decisions, which it cannot:
acknowledgements and the bookkeeping of follow-up drafts. Every step is one transaction.

Items are decoded once per process and then kept up to date by its own writes; what it
writes it keeps in the form a fresh process would decode (:mod:`syncd.stored`), so a first
sync decodes nothing it has just read.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncd.errors import ConfigError, ConfigProblem
from syncd.lock import private_dir, private_file
from syncd.model import Calendar, Changes, Item
from syncd.stored import load_events, store_form

if TYPE_CHECKING:
    from syncd.config import Config

SCHEMA = """
CREATE TABLE IF NOT EXISTS calendars (
    account TEXT, id TEXT, name TEXT, url TEXT, writable INTEGER, token TEXT,
    PRIMARY KEY (account, id));
CREATE TABLE IF NOT EXISTS items (
    account TEXT, calendar TEXT, href TEXT, etag TEXT, events TEXT, raw TEXT, recurring INTEGER,
    owned INTEGER,
    PRIMARY KEY (account, calendar, href));
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY, type TEXT, last_sync TEXT, last_error TEXT, events INTEGER);
CREATE TABLE IF NOT EXISTS provider_cache (
    account TEXT, key TEXT, value TEXT, PRIMARY KEY (account, key));
CREATE TABLE IF NOT EXISTS acks (ref TEXT PRIMARY KEY, ack TEXT, at TEXT);
CREATE TABLE IF NOT EXISTS marks (uid TEXT PRIMARY KEY, mark TEXT, at TEXT);
CREATE TABLE IF NOT EXISTS followups (
    ref TEXT PRIMARY KEY, kind TEXT, path TEXT, state TEXT, at TEXT);
CREATE TABLE IF NOT EXISTS suspect (
    account TEXT, calendar TEXT, at TEXT, PRIMARY KEY (account, calendar));
CREATE TABLE IF NOT EXISTS held (
    account TEXT, calendar TEXT, keys TEXT, at TEXT, PRIMARY KEY (account, calendar));
CREATE TABLE IF NOT EXISTS questions (
    ref TEXT PRIMARY KEY, summary TEXT, code TEXT, state TEXT, asked_at TEXT, reminded_at TEXT,
    answer TEXT, reason TEXT, channel TEXT, answered_at TEXT, acted INTEGER DEFAULT 0,
    sent TEXT DEFAULT '{}');
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS verdicts (digest TEXT PRIMARY KEY, verdict TEXT);
INSERT OR IGNORE INTO settings VALUES ('items.revision', 0);
"""
# Every write to the items moves their revision, whoever makes it (any version, any process):
# the same revision means the same cached items (see syncd.rest).
REVISION_TRIGGERS = "".join(
    f"CREATE TRIGGER IF NOT EXISTS items_revision_{event.lower()} AFTER {event} ON items BEGIN "
    "UPDATE settings SET value = value + 1 WHERE key = 'items.revision'; END;"
    for event in ("INSERT", "UPDATE", "DELETE"))


class State:
    """The state database. Open with :meth:`open`; close with :meth:`close`."""

    def __init__(self, db: sqlite3.Connection, path: Path):
        self.db = db
        self.path = path
        # The decoded items, kept between cycles of one process: an idle cycle then decodes
        # nothing. Dropped when this connection changes items, or another one commits.
        self._items: dict[tuple[str, str, str], Item] | None = None
        self._items_version: int | None = None
        # Items this connection wrote while it held no decoded items (a first sync), in their
        # read-back form with the JSON they were stored as: the next full read takes them
        # instead of decoding the rows that still hold exactly that.
        self._written: dict[tuple[str, str, str], tuple[str, Item]] = {}
        self.items_generation = 0  # moves whenever the cached items change

    @classmethod
    def open(cls, state_dir: Path) -> State:
        """Open (creating) ``state_dir/state.sqlite3``. Raises OSError / sqlite3.Error.

        The folder is made 0700 and the database and its WAL/SHM files 0600, also when they
        already existed with looser modes: they hold descriptions, addresses and decisions.
        """
        private_dir(state_dir)
        path = state_dir / "state.sqlite3"
        if not path.exists():
            # Only a new file: closing any descriptor of a database this process has open drops
            # the process's POSIX locks on it, SQLite's locks included (the page's and the
            # answer listeners' threads open their own connections beside the loop's).
            with suppress(FileExistsError):
                os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA + REVISION_TRIGGERS)
        for name in (path.name, path.name + "-wal", path.name + "-shm"):
            private_file(state_dir / name)
        _add_columns(db)
        return cls(db, path)

    @classmethod
    def open_copy(cls, state_dir: Path) -> State:
        """An in-memory copy of the state (empty if there is none), for ``--dry-run``.

        Nothing done to the copy reaches the disk.
        """
        memory = sqlite3.connect(":memory:", isolation_level=None)
        path = state_dir / "state.sqlite3"
        if path.exists():
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            source.backup(memory)
            source.close()
        memory.executescript(SCHEMA + REVISION_TRIGGERS)
        _add_columns(memory)
        return cls(memory, path)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic step: everything inside commits together or not at all."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- calendars and items -------------------------------------------------------------

    def save_calendars(self, account: str, calendars: list[Calendar]) -> None:
        """Record an account's calendars, keeping tokens of those that remain."""
        with self.transaction() as db:
            ids = [c.id for c in calendars]
            for cal in calendars:
                db.execute(
                    "INSERT INTO calendars (account, id, name, url, writable) VALUES (?,?,?,?,?) "
                    "ON CONFLICT (account, id) DO UPDATE SET name=excluded.name, url=excluded.url, "
                    "writable=excluded.writable", (account, cal.id, cal.name, cal.url, int(cal.writable)))
            marks = ",".join("?" * len(ids))
            db.execute(f"DELETE FROM calendars WHERE account=? AND id NOT IN ({marks})", (account, *ids))
            db.execute(f"DELETE FROM items WHERE account=? AND calendar NOT IN ({marks})", (account, *ids))
        self._items_changed()

    def token(self, account: str, calendar: str) -> str | None:
        """The sync token stored for a calendar, or None."""
        row = self.db.execute("SELECT token FROM calendars WHERE account=? AND id=?",
                              (account, calendar)).fetchone()
        return row[0] if row else None

    def etags(self, account: str, calendar: str) -> dict[str, str]:
        """href -> etag of every cached item of a calendar: from the decoded items when this
        connection holds them up to date (a running daemon), else read without decoding any."""
        items = self._kept()
        if items is not None:
            return {href: item.etag for (acc, cal, href), item in items.items()
                    if acc == account and cal == calendar}
        return dict(self.db.execute("SELECT href, etag FROM items WHERE account=? AND calendar=?",
                                    (account, calendar)))

    def count_events(self, account: str) -> int:
        """How many occurrences an account's cache holds, counted like :meth:`etags` is read
        (from the items too when this connection has just written some: the cycle reads them
        all next to plan, and what it wrote it need not decode)."""
        items = self._kept() if not self._written else self._decoded()
        if items is not None:
            return sum(len(item.events) for (acc, _, _), item in items.items() if acc == account)
        row = self.db.execute("SELECT SUM(json_array_length(events)) FROM items WHERE account=?",
                              (account,)).fetchone()
        return int(row[0] or 0)

    def _kept(self) -> dict[tuple[str, str, str], Item] | None:
        """The decoded items when this connection holds them and no other has committed since;
        None when reading them would mean decoding (a new process: SQL is cheaper then)."""
        if self._items is None:
            return None
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        return self._items if version == self._items_version else None

    def revision(self) -> int:
        """A number that moves with every write to the cached items, by any process."""
        row = self.db.execute("SELECT value FROM settings WHERE key='items.revision'").fetchone()
        return int(row[0]) if row else 0

    def user_hrefs(self, account: str, calendar: str) -> set[str]:
        """The hrefs of a calendar's cached items that are not syncd's own."""
        rows = self.db.execute("SELECT href FROM items WHERE account=? AND calendar=? AND NOT owned",
                               (account, calendar))
        return {r[0] for r in rows}

    def apply_changes(self, account: str, calendar: str, changes: Changes) -> None:
        """Apply a Changes value to the cache and store its token, atomically (nothing is
        written when there is nothing new, as after an idle sync that kept its token)."""
        if not (changes.full or changes.deletions or changes.upserts) and \
                changes.token == self.token(account, calendar):
            return
        stored = [store_form(i) for i in changes.upserts]  # before taking the write lock
        rows = [(account, calendar, i.href, i.etag, events, i.raw, int(i.recurring), int(i.owned))
                for events, i in stored]
        with self.transaction() as db:
            if changes.full:
                rows = _replace_calendar(db, account, calendar, rows)
            db.executemany("DELETE FROM items WHERE account=? AND calendar=? AND href=?",
                           [(account, calendar, h) for h in changes.deletions])
            db.executemany("INSERT OR REPLACE INTO items VALUES (?,?,?,?,?,?,?,?)", rows)
            db.execute("UPDATE calendars SET token=? WHERE account=? AND id=?",
                       (changes.token, account, calendar))
        self._keep(account, calendar, changes, stored)

    def put_item(self, account: str, calendar: str, item: Item) -> None:
        """Record an item we just wrote, so the next plan sees it without a new sync."""
        self.apply_changes(account, calendar, Changes(upserts=[item], token=self.token(account, calendar)))

    def drop_item(self, account: str, calendar: str, href: str) -> None:
        """Forget an item we just deleted."""
        self.apply_changes(account, calendar, Changes(deletions=[href], token=self.token(account, calendar)))

    def forget_calendar(self, account: str, calendar: str) -> None:
        """Drop a calendar's cache and token so the next sync is a full one."""
        with self.transaction() as db:
            db.execute("DELETE FROM items WHERE account=? AND calendar=?", (account, calendar))
            db.execute("UPDATE calendars SET token=NULL WHERE account=? AND id=?", (account, calendar))
        self._items_changed()

    def calendars(self, account: str | None = None) -> list[Calendar]:
        """The calendars recorded for one account, or for all."""
        sql = "SELECT account, id, name, writable, url FROM calendars"
        rows = self.db.execute(sql + (" WHERE account=?" if account else ""),
                               (account,) if account else ())
        return [Calendar(a, i, n, bool(w), u or "") for a, i, n, w, u in rows]

    def items(self, account: str | None = None) -> Iterator[tuple[str, str, Item]]:
        """Yield (account, calendar, Item) for every cached item."""
        return iter([(acc, cal, item) for (acc, cal, _), item in self._decoded().items()
                     if account is None or acc == account])

    def generation(self) -> int:
        """A number that changes whenever the cached items do (by any connection)."""
        self._decoded()
        return self.items_generation

    def _decoded(self) -> dict[tuple[str, str, str], Item]:
        """Every cached item, decoded once and then kept up to date by this connection's own
        writes; read again only when another connection has committed (``data_version``)."""
        kept = self._kept()
        if kept is not None:
            return kept
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        written, self._written = self._written, {}
        sql = "SELECT account, calendar, href, etag, events, raw, recurring FROM items"
        self._items = {(acc, cal, href): _read_back(written.get((acc, cal, href)), href,
                                                    etag, events, raw or "", bool(recurring))
                       for acc, cal, href, etag, events, raw, recurring in self.db.execute(sql)}
        self._items_version = version
        self.items_generation += 1
        return self._items

    def _keep(self, account: str, calendar: str, changes: Changes,
              stored: list[tuple[str, Item]]) -> None:
        """Bring the decoded items up to date with changes just committed, keeping the
        items written in the form a fresh process reads them in (:mod:`syncd.stored`)."""
        if not (changes.full or changes.deletions or changes.upserts):
            return
        items = self._kept()
        if items is None:  # nothing decoded to update: the next full read takes them
            self._items = None
            self._written.update(((account, calendar, item.href), (text, item))
                                 for text, item in stored)
            return
        if changes.full:
            for key in [k for k in items if k[:2] == (account, calendar)]:
                del items[key]
        for href in changes.deletions:
            items.pop((account, calendar, href), None)
        for _, item in stored:
            items[(account, calendar, item.href)] = item
        self.items_generation += 1

    def verdict_rows(self) -> dict[str, str]:
        """The kept detector verdicts, digest -> JSON (see :mod:`syncd.verdicts`)."""
        return dict(self.db.execute("SELECT digest, verdict FROM verdicts"))

    def replace_verdicts(self, rows: dict[str, str]) -> None:
        """Keep exactly these verdicts (what the last planning pass read)."""
        with self.transaction() as db:
            db.execute("DELETE FROM verdicts")
            db.executemany("INSERT INTO verdicts VALUES (?,?)", rows.items())

    def _items_changed(self) -> None:
        self._items = None
        self.items_generation += 1

    # -- per-account records -------------------------------------------------------------

    def record_sync(self, name: str, kind: str, when: datetime, error: str | None, events: int | None) -> None:
        """Record how an account's last sync went (error None on success)."""
        with self.transaction() as db:
            db.execute("INSERT INTO accounts (name, type) VALUES (?, ?) ON CONFLICT DO NOTHING",
                       (name, kind))
            if error is None:
                db.execute("UPDATE accounts SET type=?, last_sync=?, last_error=NULL, events=? "
                           "WHERE name=?", (kind, when.isoformat(), events, name))
            else:
                db.execute("UPDATE accounts SET type=?, last_error=? WHERE name=?", (kind, error, name))

    def accounts(self) -> list[dict[str, Any]]:
        """Every account's last sync, error and event count, as status shows them."""
        rows = self.db.execute("SELECT name, type, last_sync, last_error, events FROM accounts ORDER BY name")
        return [dict(zip(("name", "type", "last_sync", "last_error", "events"), r)) for r in rows]

    def provider_cache(self, account: str) -> dict[str, str]:
        """The adapter's own small key/value cache (discovered URLs and the like)."""
        return dict(self.db.execute("SELECT key, value FROM provider_cache WHERE account=?", (account,)))

    def save_provider_cache(self, account: str, cache: dict[str, str]) -> None:
        """Replace the adapter's cache (unless it holds that already)."""
        if cache == self.provider_cache(account):
            return
        with self.transaction() as db:
            db.execute("DELETE FROM provider_cache WHERE account=?", (account,))
            db.executemany("INSERT INTO provider_cache VALUES (?,?,?)",
                           [(account, k, v) for k, v in cache.items()])

    # -- the owner's decisions -------------------------------------------------------------

    def acks(self) -> dict[str, str]:
        """ref -> acknowledgement."""
        return dict(self.db.execute("SELECT ref, ack FROM acks"))

    def marks(self) -> dict[str, str]:
        """UID -> the owner's override of the detector ("interview" or "not-interview")."""
        return dict(self.db.execute("SELECT uid, mark FROM marks"))

    def set_mark(self, uid: str, mark: str | None, when: datetime) -> None:
        """Record (or, with None, forget) the owner's override for an event and its series."""
        with self.transaction() as db:
            if mark is None:
                db.execute("DELETE FROM marks WHERE uid = ?", (uid,))
            else:
                db.execute("INSERT OR REPLACE INTO marks VALUES (?,?,?)",
                           (uid, mark, when.isoformat()))

    def ack_reasons(self) -> dict[str, str]:
        """ref -> the owner's ``--reason`` sentence, for acknowledgements that gave one."""
        return dict(self.db.execute("SELECT ref, reason FROM acks WHERE reason IS NOT NULL "
                                    "AND reason != ''"))

    def ack_times(self) -> dict[str, tuple[str, datetime]]:
        """ref -> (acknowledgement, when it was given)."""
        return {r: (a, datetime.fromisoformat(t)) for r, a, t in self.db.execute("SELECT ref, ack, at FROM acks")}

    def setting(self, key: str) -> str | None:
        """A small value the daemon keeps between runs (e.g. the last ntfy message seen)."""
        row = self.db.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        """Remember a small value between runs."""
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO settings VALUES (?,?)", (key, value))

    def set_ack(self, ref: str, ack: str, when: datetime, reason: str = "") -> None:
        """Record the owner's acknowledgement of an interview (and its reason, "" for none)."""
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO acks (ref, ack, at, reason) VALUES (?,?,?,?)",
                       (ref, ack, when.isoformat(), reason))

    def followups(self) -> dict[str, dict[str, Any]]:
        """ref -> {kind, path, state, digest, kept} of each interview's draft.

        ``path`` is the sink's handle of syncd's draft, ``digest`` the content digest it was
        written with ("" when syncd has no draft of its own there), ``kept`` the handles of
        drafts the owner edited and syncd left alone.
        """
        rows = self.db.execute("SELECT ref, kind, path, state, digest, kept FROM followups")
        return {r: {"kind": k, "path": p, "state": s, "digest": d or "",
                    "kept": json.loads(kept) if kept else []}
                for r, k, p, s, d, kept in rows}

    def set_followup(self, ref: str, kind: str, path: str, state: str, when: datetime,
                     digest: str = "", kept: list[str] | tuple[str, ...] = ()) -> None:
        """Record the draft an interview has now (see :meth:`followups` for the fields)."""
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO followups (ref, kind, path, state, at, digest, kept) "
                       "VALUES (?,?,?,?,?,?,?)", (ref, kind, path, state, when.isoformat(), digest,
                                                  json.dumps(list(kept)) if kept else None))

    def held(self, account: str, calendar: str) -> set[str]:
        """The artifact keys whose deletion was held back last cycle."""
        row = self.db.execute("SELECT keys FROM held WHERE account=? AND calendar=?",
                              (account, calendar)).fetchone()
        return set(json.loads(row[0])) if row else set()

    def set_held(self, account: str, calendar: str, keys: set[str], when: datetime) -> None:
        """Remember (or, with no keys, clear) the deletions held back this cycle."""
        with self.transaction() as db:
            if keys:
                db.execute("INSERT OR REPLACE INTO held VALUES (?,?,?,?)",
                           (account, calendar, json.dumps(sorted(keys)), when.isoformat()))
            else:
                db.execute("DELETE FROM held WHERE account=? AND calendar=?", (account, calendar))

    def suspected(self, account: str, calendar: str) -> bool:
        """True when last cycle held back this calendar's sudden mass disappearance."""
        return self.db.execute("SELECT 1 FROM suspect WHERE account=? AND calendar=?",
                               (account, calendar)).fetchone() is not None

    def set_suspected(self, account: str, calendar: str, flag: bool, when: datetime) -> None:
        """Remember (or forget) that a calendar's changes were held back as suspicious."""
        with self.transaction() as db:
            if flag:
                db.execute("INSERT OR REPLACE INTO suspect VALUES (?,?,?)",
                           (account, calendar, when.isoformat()))
            else:
                db.execute("DELETE FROM suspect WHERE account=? AND calendar=?", (account, calendar))

    def all_suspected(self) -> list[dict[str, Any]]:
        """Every calendar whose changes are on hold, for status."""
        rows = self.db.execute("SELECT account, calendar, at FROM suspect")
        return [{"account": a, "calendar": c, "since": t} for a, c, t in rows]

    def all_held(self) -> list[dict[str, Any]]:
        """Every calendar with deletions on hold, for status."""
        rows = self.db.execute("SELECT account, calendar, keys, at FROM held")
        return [{"account": a, "calendar": c, "keys": json.loads(k), "since": t} for a, c, k, t in rows]


# Columns added after the first release: (table, column, declaration).
_ADDED_COLUMNS = (("acks", "reason", "TEXT"), ("followups", "digest", "TEXT"),
                  ("followups", "kept", "TEXT"))


def _add_columns(db: sqlite3.Connection) -> None:
    """Bring a state made by an older syncd up to the current schema, keeping its rows.

    One write transaction, so that two processes opening the same state at once (``status``
    beside the daemon) cannot both find a column missing and both add it.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        for table, column, declaration in _ADDED_COLUMNS:
            columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            if column not in columns:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _replace_calendar(db: sqlite3.Connection, account: str, calendar: str,
                      rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Make a calendar's rows ``rows`` (a full read): delete those it no longer lists and
    return the rows to write, leaving out those stored exactly so already (a full read after
    an expired token mostly finds what it had: the items' revision then stays)."""
    have = {row[2]: row for row in db.execute(
        "SELECT account, calendar, href, etag, events, raw, recurring, owned FROM items "
        "WHERE account=? AND calendar=?", (account, calendar))}
    listed = {row[2] for row in rows}
    db.executemany("DELETE FROM items WHERE account=? AND calendar=? AND href=?",
                   [(account, calendar, href) for href in have if href not in listed])
    return [row for row in rows if have.get(row[2]) != row]


def _read_back(written: tuple[str, Item] | None, href: str, etag: str, events: str, raw: str,
               recurring: bool) -> Item:
    """The item of a row: what this connection wrote there, when the row holds exactly that
    (then it is what decoding would give), else decoded."""
    if written is not None:
        text, item = written
        if (text, item.etag, item.raw, item.recurring) == (events, etag, raw, recurring):
            return item
    return Item(href, etag, load_events(events), raw, recurring)


def open_state(config: Config) -> State:
    """Open the state of ``config``. Raises ConfigError (exit 78) when ``state_dir`` is unusable."""
    folder = config.daemon["state_dir"]
    try:
        return State.open(folder)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError([ConfigProblem(str(config.path), "daemon.state_dir", str(folder),
                                         f"a folder syncd can create and write ({exc})")]) from None
