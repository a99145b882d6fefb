"""Follow-up drafts: render them, keep them in the owner's chosen sink, act on answers.

- :mod:`syncd.followup.render`: the pure part, an interview to an e-mail message;
- :mod:`syncd.followup.headers`: header bytes no invitation text can turn into syntax;
- :mod:`syncd.followup.sink`: the one sink interface and the registry (``followup.sink``);
- :mod:`syncd.followup.maildir`, :mod:`syncd.followup.imap`: the sinks syncd ships; account
  sinks come from the provider adapters (``Provider.draft_sink``);
- :mod:`syncd.followup.drafting`: the plan's follow-ups applied to a sink, one live draft each;
- :mod:`syncd.followup.ack`: :func:`acknowledge`, what ``syncd ack`` and every answer channel
  call.

The cycle only calls :func:`~syncd.followup.drafting.apply_followups` with the sink from
:func:`~syncd.followup.sink.open_sink`. Nothing is imported here: a command that only reads
the config (which checks ``followup.sink``) must not load Jinja2 and the mail modules.
"""
