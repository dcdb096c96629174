"""Word-level language tags: tokenise, score every word with the model, smooth with Viterbi.

Each word is scored alone by the sentence model (trained on 1-3 word chunks too); a
word's own evidence is then combined with its neighbours' by a Viterbi pass with a
constant switch penalty, so short ambiguous words (``l``, ``f``, ``la``) follow their
context while a clearly French or English word keeps its own label.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from aimm_nlp.text.scripts import ARAB_CLASS, LATN_CLASS, TFNG_CLASS

__all__ = ["Span", "WordTag", "merge_spans", "tag_batch"]

OTHER = "other"
#: Log-probability cost of switching language between two words, and the share of the
#: word model in a word's evidence (the rest is the sentence model applied to the word);
#: chosen on the even rows (dev half) of tests/data/codeswitch_words.tsv.
SWITCH_PENALTY = 1.5
WORD_MODEL_SHARE = 0.7
#: Weight of the whole Arabic-script part of the text in each Arabic word's evidence:
#: Darija vs MSA is a property of the passage (marker words are sparse), not of each word.
ARABIC_CONTEXT = 2.0
_LETTER = f"[{ARAB_CLASS}{LATN_CLASS}{TFNG_CLASS}]"
_TOKEN = regex.compile(
    r"(?P<other>(?:https?://|www\.)\S+|[@#][\w.]+|\S+@\S+\.\w+)"
    r"|(?P<word>(?:[\w\p{M}]+(?:['’][\w\p{M}]+)*['’]?))"
    r"|(?P<sym>[^\s\w]+)"
)
_HAS_LETTER = regex.compile(_LETTER)
_ARABIC = regex.compile(f"[{ARAB_CLASS}]")
_SENT_END = frozenset(".!?؟…:")


@dataclass(frozen=True)
class WordTag:
    """One word ``text`` at ``[start, end)`` with its label and the label's probability."""

    text: str
    start: int
    end: int
    lang: str
    score: float


@dataclass(frozen=True)
class Span:
    """A run ``text[start:end]`` of consecutive words with the same label."""

    start: int
    end: int
    lang: str
    text: str


def _tokens(text: str) -> list[tuple[str, int, int, bool]]:
    """(word, start, end, is_other) for every word-like token; punctuation-only tokens are dropped
    except emoji/symbols, which become ``other`` tokens."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "word":
            word = m.group()
            out.append((word, m.start(), m.end(), _HAS_LETTER.search(word) is None))
        elif kind == "other":
            out.append((m.group(), m.start(), m.end(), True))
        elif _kept_symbol(word := m.group()):
            out.append((word, m.start(), m.end(), True))
    return out


def _kept_symbol(token: str) -> bool:
    """Emoji and other symbols are kept (as ``other``); ASCII and Arabic punctuation is not."""
    return any(ord(ch) > 0x2000 and not ch.isspace() for ch in token) and not all(
        ch in "…،؛؟«»" for ch in token
    )


def _is_name(word: str, text: str, start: int) -> bool:
    """A Latin-script Capitalised word at ``text[start:]`` that does not start a sentence is
    taken for a name (the caller rules out the text's first word)."""
    if len(word) < 2 or not word[0].isupper() or not word[1:].islower() or not word.isalpha():
        return False
    if not ("a" <= word[0].lower() <= "z" or "\u00c0" <= word[0] <= "\u024f"):
        return False
    # Last non-space character before the word (what text[:start].rstrip() ends with).
    k = start
    while k and text[k - 1].isspace():
        k -= 1
    return not k or text[k - 1] not in _SENT_END


def tag_batch(texts: list[str], model) -> list[list[WordTag]]:
    """Tag the words of every text with ``model`` (a loaded langid model).

    The batch is scored at once (each distinct word once, the Viterbi pass over word
    position ``j`` of all texts together); each text gets exactly the tags it gets alone.
    """
    import numpy as np

    toks = [_tokens(t) for t in texts]
    words: list[str] = []
    sizes: list[int] = []
    for ts in toks:
        n = len(words)
        words += [w for w, _, _, other in ts if not other]
        sizes.append(len(words) - n)
    logp = _word_evidence(words, sizes, model)
    path = _viterbi_batch(logp, sizes)
    # Probability of the chosen label under the softmax of the word's evidence row.
    e = np.exp(logp - logp.max(axis=1, keepdims=True))
    prob = (e[np.arange(len(path)), path] / e.sum(axis=1)).tolist()
    chosen = [model.labels[i] for i in path.tolist()]
    out: list[list[WordTag]] = []
    k = 0
    for text, ts in zip(texts, toks, strict=True):
        tags, first, titled = [], True, None
        for word, start, end, other in ts:
            if other:
                lang, score = OTHER, 1.0
            else:
                lang, score = chosen[k], prob[k]
                k += 1
                if not first and word[0].isupper() and _is_name(word, text, start):
                    if titled is None:
                        titled = _all_title(ts)
                    if not titled:
                        lang, score = OTHER, 1.0
                first = False
            tags.append(WordTag(word, start, end, lang, score))
        out.append(tags)
    return out


def _word_evidence(words: list[str], sizes: list[int], model):
    """Log-scores (words x labels): word model + sentence model + lexicon + Arabic context.

    ``sizes[t]`` is the number of words of text ``t``. A word's own evidence does not depend
    on where it stands (model rows are independent), so each distinct word is scored once.
    """
    import numpy as np

    if not words:
        return np.zeros((0, len(model.labels)))
    types = list(dict.fromkeys(words))
    index = {w: i for i, w in enumerate(types)}
    inverse = np.fromiter(map(index.__getitem__, words), dtype=np.intp, count=len(words))
    logp = np.log(np.maximum(model.predict_proba(types, calibrated=False)[0], 1e-9))  # weights tuned on raw
    if model.word_model is not None:
        own = np.log(np.maximum(model.word_model.predict_proba(types)[0], 1e-9))
        logp = WORD_MODEL_SHARE * own + (1 - WORD_MODEL_SHARE) * logp
    if model.lexicon:
        boost = float(model.lexicon.get("boost", 0.0))
        lower = [w.lower() for w in types]
        for lab, entries in model.lexicon.get("words", {}).items():
            if lab in model.labels:
                j, entries = model.labels.index(lab), set(entries)
                hits = [i for i, w in enumerate(lower) if w in entries]
                logp[hits, j] += boost
    arab_type = [_ARABIC.search(w) is not None for w in types]
    logp = logp[inverse]
    is_arab = [arab_type[i] for i in inverse.tolist()]
    if ARABIC_CONTEXT and any(is_arab):
        # The Arabic words of each text, joined: one sentence-model row per distinct passage.
        parts: dict[str, int] = {}
        row = np.zeros(len(sizes), dtype=np.intp)
        k = 0
        for t, n in enumerate(sizes):
            flags = is_arab[k : k + n]
            if any(flags):
                part = " ".join([w for w, a in zip(words[k : k + n], flags, strict=True) if a])
                row[t] = parts.setdefault(part, len(parts))
            k += n
        ctx = np.log(np.maximum(model.predict_proba(list(parts), calibrated=False)[0], 1e-9))
        arab = np.array(is_arab)
        owner = np.repeat(row, sizes)
        logp[arab] += ARABIC_CONTEXT * ctx[owner[arab]]
    return logp


def _all_title(tokens: list[tuple[str, int, int, bool]]) -> bool:
    """Headline-style text (most words capitalised): capitals say nothing about names."""
    words = [w for w, _, _, other in tokens if not other and w[:1].isalpha()]
    return len(words) > 2 and sum(w[0].isupper() for w in words) > 0.6 * len(words)


def _viterbi_batch(logp, sizes: list[int]):
    """Best label of every word (row of ``logp``, words x labels) under a constant switch cost.

    Text ``t`` is the next ``sizes[t]`` rows and gets its own path; all texts advance one
    word position at a time. Texts are ordered longest first and the rows regrouped by
    position, so the texts still running at position ``j`` are a prefix and their rows one
    block. Per text, the arithmetic and the tie-breaking (first maximum) are those of a
    plain one-text Viterbi.
    """
    import numpy as np

    n, c = logp.shape
    path = np.zeros(n, dtype=np.intp)
    size = np.asarray(sizes, dtype=np.intp)
    if n == 0:
        return path
    first = np.concatenate(([0], np.cumsum(size)[:-1]))
    order = np.argsort(-size, kind="stable")
    order = order[size[order] > 0]
    size, first = size[order], first[order]
    alive = np.searchsorted(-size, -np.arange(size[0]), side="left")  # texts longer than j
    block = np.concatenate(([0], np.cumsum(alive)))  # rows of position j: block[j]:block[j+1]
    rank = np.arange(n) - np.repeat(block[:-1], alive)
    perm = first[rank] + np.repeat(np.arange(len(alive)), alive)
    emit = logp[perm]
    back = np.zeros((n, c), dtype=np.min_scalar_type(c - 1))
    labels = np.arange(c)
    rows = np.arange(len(size))
    score = emit[: alive[0]].copy()
    for j in range(1, len(alive)):
        a, lo = alive[j], block[j]
        stay = score[:a]
        best_prev = stay.argmax(axis=1)
        switch = (stay[rows[:a], best_prev] - SWITCH_PENALTY)[:, None]
        back[lo : lo + a] = np.where(switch > stay, best_prev[:, None], labels)
        score[:a] = np.maximum(stay, switch) + emit[lo : lo + a]
    cur = score.argmax(axis=1)  # each text's score stopped changing at its last word
    ordered = np.empty(n, dtype=np.intp)
    for j in range(len(alive) - 1, -1, -1):
        a, lo = alive[j], block[j]
        ordered[lo : lo + a] = cur[:a]
        if j:
            cur[:a] = back[lo + rows[:a], cur[:a]]
    path[perm] = ordered
    return path


def merge_spans(text: str, tags: list[WordTag]) -> list[Span]:
    """Merge consecutive tags with the same label into spans over ``text``."""
    spans: list[Span] = []
    for t in tags:
        if spans and spans[-1].lang == t.lang:
            last = spans[-1]
            spans[-1] = Span(last.start, t.end, t.lang, text[last.start : t.end])
        else:
            spans.append(Span(t.start, t.end, t.lang, t.text))
    return spans
