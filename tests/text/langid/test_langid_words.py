"""tag_words / spans: the hand-labelled code-switch set, table-driven edge cases, and the
batched tag_batch against the original one-text-at-a-time algorithm (kept below as an oracle).

About internals: the private ``aimm_nlp.text.langid._words`` tagger is tested against that oracle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aimm_nlp.langs import CORE_LANGS
from aimm_nlp.text import spans, tag_words
from aimm_nlp.text.langid import _words as lw
from aimm_nlp.text.langid import load_langid_model
from aimm_nlp.text.langid._words import WordTag, tag_batch

DATA = Path(__file__).resolve().parents[2] / "data" / "codeswitch_words.tsv"


def _rows() -> list[tuple[str, list[str]]]:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "text\tlabels"
    return [(text, labels.split()) for text, labels in (line.split("\t") for line in lines[1:])]


def test_codeswitch_set_is_well_formed() -> None:
    rows = _rows()
    assert len(rows) >= 200
    allowed = {*CORE_LANGS, "other"}
    for text, labels in rows:
        assert set(labels) <= allowed, text
        assert len({lab for lab in labels if lab != "other"}) >= 2 or "other" in labels, text


def test_word_tag_accuracy_on_codeswitch_set() -> None:
    total = correct = 0
    for text, gold in _rows():
        pred = [w.lang for w in tag_words(text)]
        assert len(pred) == len(gold), (text, pred)
        total += len(gold)
        correct += sum(p == g for p, g in zip(pred, gold, strict=True))
    assert correct / total >= 0.90, correct / total


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("ⵣ", [("ⵣ", "zgh_Tfng")]),
        ("😂", [("😂", "other")]),
        ("2024", [("2024", "other")]),
        (
            "@karim https://t.co/x #maroc",
            [("@karim", "other"), ("https://t.co/x", "other"), ("#maroc", "other")],
        ),
        ("bzaaaaaf", [("bzaaaaaf", "ary_Latn")]),
        ("send me the file ghda", None),
    ],
)
def test_tag_words_edge_cases(text: str, expected: list | None) -> None:
    tags = tag_words(text)
    for t in tags:
        assert text[t.start : t.end] == t.text
    if expected is not None:
        assert [(t.text, t.lang) for t in tags] == expected
    else:
        assert [t.lang for t in tags][:4] == ["eng_Latn"] * 4


def test_names_inside_a_sentence_are_other() -> None:
    tags = {t.text: t.lang for t in tag_words("mchina l Marrakech m3a Sara lbareh")}
    assert tags["Marrakech"] == tags["Sara"] == "other"
    assert tags["mchina"] == "ary_Latn"


def test_spans_merge_runs_and_cover_text() -> None:
    text = "ana ghadi l la réunion de demain, safi?"
    result = spans(text)
    assert [s.lang for s in result] == ["ary_Latn", "fra_Latn", "ary_Latn"]
    for s in result:
        assert text[s.start : s.end] == s.text
    assert spans("") == []


@pytest.mark.parametrize(
    "text", ["شفت le film ديال البارح", "مشيت la réunion ديال البارح", "شفت le match de foot ديال البارح"]
)
def test_arabic_script_with_french(text: str) -> None:
    labels = [t.lang for t in tag_words(text)]
    n_french = len(text.split()) - 3
    assert labels == ["ary_Arab"] + ["fra_Latn"] * n_french + ["ary_Arab", "ary_Arab"]


def test_long_line_words() -> None:
    line = "wach nta mzyan? je pense que oui. " * 3000
    tags = tag_words(line)
    assert len(tags) == 7 * 3000
    assert {t.lang for t in tags} <= {"ary_Latn", "fra_Latn"}


# --- Reference: tag_batch as it was before batching (per-text Viterbi, every word scored). ---
# Kept verbatim apart from names: the batched version must give exactly the same tags.


def _ref_tokens(text: str) -> list[tuple[str, int, int, bool]]:
    out = []
    for m in lw._TOKEN.finditer(text):
        kind = m.lastgroup
        word = m.group()
        if kind == "sym":
            if any(ord(ch) > 0x2000 and not ch.isspace() for ch in word) and not all(
                ch in "…،؛؟«»" for ch in word
            ):
                out.append((word, m.start(), m.end(), True))
            continue
        out.append((word, m.start(), m.end(), kind == "other" or not lw._HAS_LETTER.search(word)))
    return out


def _ref_is_name(word: str, prev_text: str, first: bool) -> bool:
    if first or len(word) < 2 or not word[0].isupper() or not word[1:].islower() or not word.isalpha():
        return False
    if not ("a" <= word[0].lower() <= "z" or "\u00c0" <= word[0] <= "\u024f"):
        return False
    prev = prev_text.rstrip()
    return not prev or prev[-1] not in lw._SENT_END


def _ref_tag_batch(texts: list[str], model) -> list[list[WordTag]]:
    toks = [_ref_tokens(t) for t in texts]
    words = [w for ts in toks for (w, _, _, other) in ts if not other]
    logp = _ref_word_evidence(words, toks, model)
    labels = model.labels
    out: list[list[WordTag]] = []
    k = 0
    for text, ts in zip(texts, toks, strict=True):
        n_model = sum(1 for t in ts if not t[3])
        lp = logp[k : k + n_model]
        k += n_model
        path: list[int] = []
        if n_model:
            path = _ref_viterbi(lp)
            p = np.exp(lp - lp.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
        tags, j, first = [], 0, True
        for word, start, end, other in ts:
            if other:
                tags.append(WordTag(word, start, end, lw.OTHER, 1.0))
                continue
            if _ref_is_name(word, text[:start], first) and not _ref_all_title(ts):
                tags.append(WordTag(word, start, end, lw.OTHER, 1.0))
            else:
                lab = path[j]
                tags.append(WordTag(word, start, end, labels[lab], float(p[j, lab])))
            j += 1
            first = False
        out.append(tags)
    return out


def _ref_word_evidence(words: list[str], toks: list, model):
    if not words:
        return np.zeros((0, len(model.labels)))
    logp = np.log(np.maximum(model.predict_proba(words, calibrated=False)[0], 1e-9))
    if model.word_model is not None:
        own = np.log(np.maximum(model.word_model.predict_proba(words)[0], 1e-9))
        logp = lw.WORD_MODEL_SHARE * own + (1 - lw.WORD_MODEL_SHARE) * logp
    if model.lexicon:
        boost = float(model.lexicon.get("boost", 0.0))
        for lab, entries in model.lexicon.get("words", {}).items():
            if lab in model.labels:
                j, entries = model.labels.index(lab), set(entries)
                hits = [i for i, w in enumerate(words) if w.lower() in entries]
                logp[hits, j] += boost
    arab = np.array([bool(lw._ARABIC.search(w)) for w in words])
    if lw.ARABIC_CONTEXT and arab.any():
        parts, owner, k = [], np.zeros(len(words), dtype=np.int64), 0
        for ts in toks:
            ws = [w for w, _, _, other in ts if not other]
            parts.append(" ".join(w for w in ws if lw._ARABIC.search(w)))
            owner[k : k + len(ws)] = len(parts) - 1
            k += len(ws)
        ctx = np.log(np.maximum(model.predict_proba(parts, calibrated=False)[0], 1e-9))
        logp[arab] += lw.ARABIC_CONTEXT * ctx[owner[arab]]
    return logp


def _ref_all_title(tokens: list[tuple[str, int, int, bool]]) -> bool:
    words = [w for w, _, _, other in tokens if not other and w[:1].isalpha()]
    return len(words) > 2 and sum(w[0].isupper() for w in words) > 0.6 * len(words)


def _ref_viterbi(logp) -> list[int]:
    n, c = logp.shape
    score = logp[0].copy()
    back = np.zeros((n, c), dtype=np.int64)
    for i in range(1, n):
        best_prev = int(score.argmax())
        stay = score
        switch = score[best_prev] - lw.SWITCH_PENALTY
        use_switch = switch > stay
        back[i] = np.where(use_switch, best_prev, np.arange(c))
        score = np.maximum(stay, switch) + logp[i]
    path = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return path[::-1]


EDGE_TEXTS = [
    "",
    " ",
    "a",
    "ⵣ",
    "😂",
    "😂😂 ❤️🔥",
    "...!!! ؟ «»",
    "bzzzzaf",
    "wa bzzzzzzaf hadchi 3ajbni",
    "@karim https://t.co/x #maroc",
    "3ayt l 0612345678 f 2024 wla chof www.hespress.com awla ktb l karim@gmail.com",
    "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ, ⵎⴰⵏⵉⴽ ⴰⵏⵏ ⵜⵍⵍⴰⵎ?",
    "ⴰⵣⵓⵍ salam khouya labas",
    "ana ghadi l la réunion de demain, safi?",
    "3afak send me the file ghda",
    "شفت le film ديال البارح",
    "مشيت la réunion ديال البارح مع Karim و Sara",
    "واش كاين شي حد فالدار؟ بغيت نهضر معاك",
    "mchina l Marrakech m3a Sara lbareh. Karim ja m3ana",
    "Salam. Karim\u00a0Sara\n Youssef!  Mehdi",
    "Le Match De Foot Ce Soir A Casablanca",
    "C'est l'école d'aujourd'hui, ma3ndi m’a walo",
    "hhhhhhhhhh 😂😂😂 wallah",
    "e\u0301te\u0301 كِتَابٌ",
]


@pytest.fixture(scope="module")
def model():
    return load_langid_model(None)


@pytest.mark.parametrize("text", EDGE_TEXTS)
def test_tag_batch_equals_reference_alone(model, text: str) -> None:
    assert tag_batch([text], model) == _ref_tag_batch([text], model)


def test_tag_batch_equals_reference_on_a_mixed_batch(model) -> None:
    # Empty texts between others, repeats, one long text: rows of different lengths and
    # texts with no words must not shift anything.
    texts = EDGE_TEXTS + EDGE_TEXTS[::-1] + ["wach nta mzyan? je pense que oui. " * 40] + EDGE_TEXTS[:5]
    got = tag_batch(texts, model)
    assert got == _ref_tag_batch(texts, model)
    assert got == [tag_batch([t], model)[0] for t in texts]


def _langid_texts(shared: Path) -> list[str]:
    with open(shared / "data" / "langid_moroccan" / "langid.tsv", encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t")[1] for line in fh][1:]


def test_tag_batch_equals_reference_on_langid_data(shared: Path, model) -> None:
    texts = _langid_texts(shared)[::4]  # every row: the slow test below
    assert len(texts) > 4000
    assert tag_batch(texts, model) == _ref_tag_batch(texts, model)


@pytest.mark.slow
def test_tag_batch_equals_reference_on_all_langid_data(shared: Path, model) -> None:
    texts = _langid_texts(shared)
    assert tag_batch(texts, model) == _ref_tag_batch(texts, model)


@pytest.mark.parametrize("seed", range(5))
def test_batched_viterbi_keeps_per_text_ties(seed: int) -> None:
    # Small integer scores make exact ties (and switch == stay) frequent.
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 12, size=40).tolist()
    logp = rng.integers(-3, 1, size=(sum(sizes), 4)).astype(np.float32) * np.float32(0.75)
    path = lw._viterbi_batch(logp, sizes)
    k = 0
    for n in sizes:
        if n:
            assert path[k : k + n].tolist() == _ref_viterbi(logp[k : k + n]), (seed, n)
        k += n
