"""Asking the owner how an interview went: the durable question, its channels, the answers.

``questions`` keeps one question per interview in the state (asked -> reminded -> answered or
expired); ``policy`` decides, purely, what is due now; ``asker`` runs the channels (``web``,
``ntfy``, ``desktop``) beside the daemon's loop and turns each answer into one acknowledgement.
"""
