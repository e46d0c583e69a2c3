"""makemessages without fuzzy matching: a guessed translation from a similar string is worse
than an empty one (tests/test_messages.py then names it, and a translator fills it in)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
