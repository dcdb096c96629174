"""Held-out Arabizi for tokenizer benchmarks: the Latin-script AfriSenti ``ma`` tweets (CC BY 4.0) split
into train / dev / held-out by the unit that can leak, a tweet and its near-duplicates.

Two tweets fall in one group when they share a *leak key*: the text lower-cased, with ``RT``,
``@user`` mentions, URLs, digits-only tokens and punctuation removed and letter runs collapsed
(``bzzzaaaf`` -> ``bzaf``), or the first or last five words of that key (retweets with a comment,
truncated copies). Each group goes to one side by a hash of its smallest key, so the split never
depends on scores, on file order or on which copy of a tweet a source kept.
DODa (CC BY-NC 4.0) is never trained on: its Latin sentences are a second, evaluation-only check.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

__all__ = ["SHARES", "arabizi_split", "doda_latin", "leak_key", "withheld"]

SHARES = {"train": 0.8, "dev": 0.1, "heldout": 0.1}
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_RT = re.compile(r"^\s*rt\b[: ]*")
_NON_WORD = re.compile(r"[^\w\s]|_")
_RUN = re.compile(r"(\w)\1+")


def leak_key(text: str) -> str:
    """The near-duplicate key of a tweet (see the module docstring)."""
    key = _MENTION.sub(" ", _URL.sub(" ", _RT.sub("", text.lower())))
    key = _RUN.sub(r"\1", _NON_WORD.sub(" ", key))
    return " ".join(w for w in key.split() if not w.isdigit())


def _linked_keys(text: str) -> list[str]:
    """The leak key, then its first and last five words (texts of five words or more)."""
    key = leak_key(text)
    words = key.split()
    return [key] + ([f"<{' '.join(words[:5])}", f">{' '.join(words[-5:])}"] if len(words) >= 5 else [])


def _groups(texts: list[str]) -> list[str]:
    """For each text, the smallest key of its near-duplicate group (union-find over shared keys)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keys = []
    for text in texts:
        linked = _linked_keys(text)
        key = linked[0]
        root = find(linked[0])
        for other in linked[1:]:
            a, b = sorted((root, find(other)))
            parent[b] = a
            root = a
        keys.append(key)
    roots: dict[str, str] = {}
    for key in keys:  # the group's name is its smallest full key, independent of the order of union
        root = find(key)
        roots[root] = min(roots.get(root, key), key)
    return [roots[find(key)] for key in keys]


def _side(group: str) -> str:
    h = int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) / 16**8
    return "train" if h < SHARES["train"] else "dev" if h < SHARES["train"] + SHARES["dev"] else "heldout"


def _latin_tweets(shared: Path) -> list[str]:
    from aimm_nlp.text import dominant_script

    seen, out = set(), []
    for split in ("train", "dev", "test"):
        lines = (shared / f"data/afrisenti_ma/{split}.tsv").read_text("utf-8").splitlines()[1:]
        for line in lines:
            text = line.split("\t")[1].strip()
            if text and text not in seen and dominant_script(text) == "Latn":
                seen.add(text)
                out.append(text)
    return out


def arabizi_split(shared: Path) -> dict[str, list[str]]:
    """``{"train"|"dev"|"heldout": tweets}``: every distinct Latin-script AfriSenti tweet on one side.

    ``langid_moroccan``'s ``ary_Latn`` rows are these same tweets, so a trainer must drop the
    dev/held-out texts from every source (see :func:`withheld`).
    """
    texts = _latin_tweets(shared)
    out: dict[str, list[str]] = {side: [] for side in SHARES}
    for text, group in zip(texts, _groups(texts), strict=True):
        out[_side(group)].append(text)
    return out


def withheld(corpus: dict[str, list[str]], split: dict[str, list[str]]) -> dict[str, list[str]]:
    """``corpus`` without any text of the dev or held-out side (nor a near-duplicate of one)."""
    banned = {k for side in ("dev", "heldout") for t in split[side] for k in _linked_keys(t)}
    return {lang: [t for t in texts if banned.isdisjoint(_linked_keys(t))] for lang, texts in corpus.items()}


def doda_latin(shared: Path, *, limit: int | None = None) -> list[str]:
    """DODa's conversational Latin sentences (``ongoing/``, evaluation only: CC BY-NC 4.0)."""
    rows = (shared / "data/doda/sentences.tsv").read_text("utf-8").splitlines()[1:]
    out = [
        r.split("\t")[1] for r in rows if r.split("\t")[4].startswith("ongoing/") and r.split("\t")[1].strip()
    ]
    return out[:limit] if limit else out
