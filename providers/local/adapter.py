"""A local calendar folder: a vdir, as vdirsyncer and khal use it.

The account's ``path`` holds one folder per calendar and one ``.ics`` file per event. A
calendar's name is the content of its ``displayname`` file, else the folder name. Change
detection compares each file's (mtime, size) with what the cache holds, so an idle cycle lists
and stats but reads no file. Writes go to a temporary file in the same folder and are renamed
into place, so a reader never sees half a file.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path

from providers.base import Provider
from providers.ical import MalformedCalendarData, parse_item, render_artifact
from syncd.errors import Gone, NotOwned, ProviderError
from syncd.model import Artifact, Calendar, Changes, Item, Window

log = logging.getLogger(__name__)


class LocalProvider(Provider):
    """A folder of calendars on this machine."""

    lists_calendars_free = True

    @property
    def root(self) -> Path:
        """The account's folder."""
        return Path(self.account["path"]).expanduser()

    def calendars(self) -> list[Calendar]:
        """Each sub-folder is a calendar. Raises ProviderError if the folder is unreadable."""
        try:
            folders = sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))
        except OSError as exc:
            raise ProviderError(f"cannot read the calendar folder {self.root}: {exc.strerror}",
                                account=self.name) from exc
        return [Calendar(self.name, p.name, _display_name(p), os.access(p, os.W_OK), str(p))
                for p in folders]

    def changes(self, calendar: Calendar, token: str | None, known: Mapping[str, str],
                window: Window) -> Changes:
        """Stat every ``.ics`` file; read only new or changed ones. The token is unused."""
        folder = self._folder(calendar)
        current = self._listing(folder)
        full = token is None
        changes = Changes(token="vdir", full=full)
        for name, etag in current.items():
            if not full and known.get(name) == etag:
                continue
            item = self._read(folder, name, etag, window)
            if item is not None:
                changes.upserts.append(item)
        if not full:
            changes.deletions = [h for h in known if h not in current]
        return changes

    def create(self, calendar: Calendar, artifact: Artifact) -> Item:
        """Write ``syncd-<key>.ics`` unless it exists; return what is stored."""
        folder = self._folder(calendar)
        name = f"{artifact.uid}.ics"
        target = folder / name
        if not target.exists():
            self._write(folder, name, render_artifact(artifact), exclusive=True)
        return self._read_required(folder, name)

    def _update(self, calendar: Calendar, item: Item, artifact: Artifact) -> Item:
        folder = self._folder(calendar)
        self._check_unchanged(folder, item)
        self._write(folder, item.href, render_artifact(artifact), exclusive=False)
        return self._read_required(folder, item.href)

    def _delete(self, calendar: Calendar, item: Item) -> None:
        folder = self._folder(calendar)
        try:
            self._check_unchanged(folder, item)
            (folder / item.href).unlink()
        except FileNotFoundError:
            pass

    # -- helpers -------------------------------------------------------------------------

    def _folder(self, calendar: Calendar) -> Path:
        folder = self.root / calendar.id
        if not folder.is_dir():
            raise Gone(f"calendar folder {folder} does not exist", account=self.name)
        return folder

    @staticmethod
    def _listing(folder: Path) -> dict[str, str]:
        out = {}
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".ics") and entry.is_file():
                    st = entry.stat()
                    out[entry.name] = f"{st.st_mtime_ns}-{st.st_size}"
        return out

    def _read(self, folder: Path, name: str, etag: str, window: Window) -> Item | None:
        try:
            data = (folder / name).read_bytes()
            return parse_item(name, etag, data, self.tz, window)
        except FileNotFoundError:
            return None
        except MalformedCalendarData as exc:
            log.warning("%s: skipping %s: %s", self.name, folder / name, exc)
            return Item(href=name, etag=etag)  # remembered, so it is not re-read every cycle

    def _read_required(self, folder: Path, name: str) -> Item:
        st = (folder / name).stat()
        item = self._read(folder, name, f"{st.st_mtime_ns}-{st.st_size}", _EVERYTHING)
        if item is None or not item.events:
            raise ProviderError(f"{folder / name} could not be read back", account=self.name)
        return item

    def _check_unchanged(self, folder: Path, item: Item) -> None:
        """Refuse to overwrite a file someone edited since we read it, nor one not ours."""
        current = self._read_required(folder, item.href)
        if not current.owned:
            raise NotOwned(f"{folder / item.href} no longer carries the syncd marker")

    @staticmethod
    def _write(folder: Path, name: str, text: str, exclusive: bool) -> None:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".syncd-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            if exclusive:
                try:
                    os.link(tmp, folder / name)  # fails if another writer got there first
                except FileExistsError:
                    pass
            else:
                os.replace(tmp, folder / name)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _display_name(folder: Path) -> str:
    try:
        return (folder / "displayname").read_text(encoding="utf-8").strip() or folder.name
    except OSError:
        return folder.name


_EVERYTHING = Window(datetime(1970, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc))
