"""The Arabizi token scan: protected spans (URLs, e-mails, @mentions, #hashtags, emoticons, HTML entities)
and Latin-script words, as :class:`~aimm_nlp.text.translit._transliterator.Transliterator` reads a line."""

from __future__ import annotations

import re

__all__ = ["EMOTICON_WORD", "NUMBER", "TOKEN", "WORDS", "token_kind"]

# Protected spans first, then Latin-script words (digits count: "3afak" is one word).
TOKEN = re.compile(
    r"(?P<url>(?:https?://|www\.)\S+)"
    r"|(?P<email>[\w.+-]+@[\w-]+\.[\w.-]+)"
    r"|(?P<mention>@\w+)|(?P<hashtag>#\w+)"
    # emoticons written with letters (":D", ":p", ":o", "xD", "XDDD", "T_T") and HTML entities ("&lt;3"),
    # which would otherwise read as words: kept as they are
    r"|(?P<emoticon>(?:(?<![:;=])[:;=]|(?<!\w)8)[-'^]?[DPpOoSs3]+(?![\w'’])|(?<!\w)[xX]D+(?!\w)"
    r"|(?<!\w)[T;]_+[T;](?!\w)|&(?:[a-z]+|#\d+);)"
    r"|(?P<word>[A-Za-z\u00c0-\u024f0-9]+(?:['’][A-Za-z\u00c0-\u024f0-9]+)*)"
)
# The same scan, but ``findall`` returns only the words ('' for URLs, e-mails, @mentions, #hashtags).
WORDS = re.compile(re.sub(r"\(\?P<(?!word>)\w+>", "(?:", TOKEN.pattern).replace("(?P<word>", "("))
EMOTICON_WORD = re.compile(r"[xX]D+")  # a whitespace chunk of letters that is an emoticon, not a word
NUMBER = re.compile(r"\d+(?:[.,:]\d+)*|\d{2,}[A-Za-z]{0,3}")


def token_kind(token: str) -> str:
    """The kind of one token of :data:`TOKEN`'s scan, read alone: its group's name (``word``, ``url``,
    ``email``, ``mention``, ``hashtag``, ``emoticon``), or ``number`` for a word that is a number."""
    m = TOKEN.fullmatch(token)
    kind = (m.lastgroup if m else None) or "word"
    return "number" if kind == "word" and NUMBER.fullmatch(token) else kind
