"""Follow-up drafts: render them, keep them in the owner's chosen sink, act on answers.

- :mod:`syncd.followup.render`: the pure part, an interview to an e-mail message;
- :mod:`syncd.followup.headers`: header bytes no invitation text can turn into syntax;
- :mod:`syncd.followup.sink`: the one sink interface and the registry (``followup.sink``);
- :mod:`syncd.followup.maildir`, :mod:`syncd.followup.imap`: the sinks syncd ships; account
  sinks come from the provider adapters (``Provider.draft_sink``);
- :mod:`syncd.followup.drafting`: the plan's follow-ups applied to a sink, one live draft each;
- :mod:`syncd.followup.ack`: :func:`acknowledge`, what ``syncd ack`` and every answer channel
  call.

The cycle only calls :func:`apply_followups` with the sink from :func:`open_sink`.
"""

from __future__ import annotations

from syncd.followup.drafting import DraftOutcome, apply_followups
from syncd.followup.render import DraftRequest, DraftTemplateError, render
from syncd.followup.sink import DraftSink, StoredDraft, open_sink

__all__ = ["DraftOutcome", "DraftRequest", "DraftSink", "DraftTemplateError", "StoredDraft",
           "apply_followups", "open_sink", "render"]
