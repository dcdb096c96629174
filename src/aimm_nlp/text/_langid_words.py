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
        word = m.group()
        if kind == "sym":
            if any(ord(ch) > 0x2000 and not ch.isspace() for ch in word) and not all(
                ch in "…،؛؟«»" for ch in word
            ):
                out.append((word, m.start(), m.end(), True))
            continue
        out.append((word, m.start(), m.end(), kind == "other" or not _HAS_LETTER.search(word)))
    return out


def _is_name(word: str, prev_text: str, first: bool) -> bool:
    """A Latin-script Capitalised word that does not start a sentence is taken for a name."""
    if first or len(word) < 2 or not word[0].isupper() or not word[1:].islower() or not word.isalpha():
        return False
    if not ("a" <= word[0].lower() <= "z" or "\u00c0" <= word[0] <= "\u024f"):
        return False
    prev = prev_text.rstrip()
    return not prev or prev[-1] not in _SENT_END


def tag_batch(texts: list[str], model) -> list[list[WordTag]]:
    """Tag the words of every text with ``model`` (a loaded langid model)."""
    import numpy as np

    toks = [_tokens(t) for t in texts]
    words = [w for ts in toks for (w, _, _, other) in ts if not other]
    logp = _word_evidence(words, toks, model)
    labels = model.labels
    out: list[list[WordTag]] = []
    k = 0
    for text, ts in zip(texts, toks, strict=True):
        n_model = sum(1 for t in ts if not t[3])
        lp = logp[k : k + n_model]
        k += n_model
        path: list[int] = []
        if n_model:
            path = _viterbi(lp)
            p = np.exp(lp - lp.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
        tags, j, first = [], 0, True
        for word, start, end, other in ts:
            if other:
                tags.append(WordTag(word, start, end, OTHER, 1.0))
                continue
            if _is_name(word, text[:start], first) and not _all_title(ts):
                tags.append(WordTag(word, start, end, OTHER, 1.0))
            else:
                lab = path[j]
                tags.append(WordTag(word, start, end, labels[lab], float(p[j, lab])))
            j += 1
            first = False
        out.append(tags)
    return out


def _word_evidence(words: list[str], toks: list, model):
    """Log-scores (words x labels): word model + sentence model + lexicon + Arabic context."""
    import numpy as np

    if not words:
        return np.zeros((0, len(model.labels)))
    logp = np.log(np.maximum(model.predict_proba(words)[0], 1e-9))
    if model.word_model is not None:
        own = np.log(np.maximum(model.word_model.predict_proba(words)[0], 1e-9))
        logp = WORD_MODEL_SHARE * own + (1 - WORD_MODEL_SHARE) * logp
    if model.lexicon:
        boost = float(model.lexicon.get("boost", 0.0))
        for lab, entries in model.lexicon.get("words", {}).items():
            if lab in model.labels:
                j, entries = model.labels.index(lab), set(entries)
                hits = [i for i, w in enumerate(words) if w.lower() in entries]
                logp[hits, j] += boost
    arab = np.array([bool(_ARABIC.search(w)) for w in words])
    if ARABIC_CONTEXT and arab.any():
        parts, owner, k = [], np.zeros(len(words), dtype=np.int64), 0
        for ts in toks:
            ws = [w for w, _, _, other in ts if not other]
            parts.append(" ".join(w for w in ws if _ARABIC.search(w)))
            owner[k : k + len(ws)] = len(parts) - 1
            k += len(ws)
        ctx = np.log(np.maximum(model.predict_proba(parts)[0], 1e-9))
        logp[arab] += ARABIC_CONTEXT * ctx[owner[arab]]
    return logp


def _all_title(tokens: list[tuple[str, int, int, bool]]) -> bool:
    """Headline-style text (most words capitalised): capitals say nothing about names."""
    words = [w for w, _, _, other in tokens if not other and w[:1].isalpha()]
    return len(words) > 2 and sum(w[0].isupper() for w in words) > 0.6 * len(words)


def _viterbi(logp) -> list[int]:
    """Best label path under emissions ``logp`` (words x labels) and a constant switch cost."""
    import numpy as np

    n, c = logp.shape
    score = logp[0].copy()
    back = np.zeros((n, c), dtype=np.int64)
    for i in range(1, n):
        best_prev = int(score.argmax())
        stay = score
        switch = score[best_prev] - SWITCH_PENALTY
        use_switch = switch > stay
        back[i] = np.where(use_switch, best_prev, np.arange(c))
        score = np.maximum(stay, switch) + logp[i]
    path = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return path[::-1]


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
