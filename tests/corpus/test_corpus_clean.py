"""clean(): steps and report, language filter with a stub identifier, dedup, determinism."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from corpus_samples import DOCS
from datasets import Dataset

from aimm_nlp.corpus import clean, load_corpus
from aimm_nlp.errors import ConfigError, DataError
from aimm_nlp.text.scripts import dominant_script


@dataclass(frozen=True)
class Guess:
    lang: str
    score: float


def stub_identify(text: str) -> Guess:
    """A stand-in for aimm_nlp.text.langid.identify: script decides, Arabizi digits mark ary_Latn."""
    script = dominant_script(text)
    if script == "Arab":
        return Guess("ary_Arab", 0.9)
    if script == "Tfng":
        return Guess("zgh_Tfng", 0.99)
    if any(d in text for d in "379"):
        return Guess("ary_Latn", 0.8)
    return Guess("fra_Latn", 0.4)


def stub_identify_str(text: str) -> str:
    return stub_identify(text).lang


def make(texts: list[str], langs: list[str | None] | None = None) -> Dataset:
    langs = langs if langs is not None else [None] * len(texts)
    return Dataset.from_dict({"text": texts, "lang": langs, "source": [str(i) for i in range(len(texts))]})


def counts(report) -> dict[str, int]:
    return {s.name: s.removed for s in report.steps}


def test_report_counts_add_up_and_keep_examples() -> None:
    ds = make([t for t, _ in DOCS] * 2, [lang for _, lang in DOCS] * 2)
    out, report = clean(ds, min_chars=2, dedup="exact")
    assert report.n_input == 20 and report.n_output == out.num_rows
    assert report.n_input - sum(counts(report).values()) == report.n_output
    by = {s.name: s for s in report.steps}
    assert by["length"].removed == 2 * 2  # "" and "و", in both copies
    assert by["quality"].removed == 2 and by["quality"].reasons == {"letters": 2}  # the emoji walls
    assert by["exact_dup"].removed == 7
    assert "مزيان بزاف هاد الفيلم" in list(out["text"])  # normalized (elongation folded)
    assert by["quality"].examples == ("😂😂😂", "😂😂😂")
    assert "| exact_dup | 7 |" in report.to_markdown()
    assert report.complete and report.to_dict()["steps"][0]["name"] == "malformed"


@pytest.mark.parametrize("identify", [stub_identify, stub_identify_str])
def test_language_filter_with_stub_identifier(identify) -> None:
    texts = ["واش نتا مزيان؟", "salam labas 3lik", "Le film était magnifique.", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "chno hada"]
    out, report = clean(make(texts), langs=["ary_Arab", "ary_Latn"], identify=identify, quality=None)
    assert list(out["text"]) == ["واش نتا مزيان؟", "salam labas 3lik"]
    assert list(out["lang"]) == ["ary_Arab", "ary_Latn"]
    assert counts(report)["lang"] == 3


def test_language_filter_trusts_labels_and_min_score() -> None:
    ds = make(["salam labas", "salam 3lik"], ["ary_Latn", None])
    out, _ = clean(ds, langs=["ary_Latn"], identify=stub_identify, quality=None)
    assert list(out["lang"]) == ["ary_Latn", "ary_Latn"]  # first kept by its label, second identified
    out, _report = clean(ds, langs=["ary_Latn"], identify=stub_identify, trust_labels=False, quality=None,
                        allow_empty=True)  # fmt: skip
    assert list(out["text"]) == ["salam 3lik"]  # re-identified: "salam labas" has no Arabizi digit -> fra
    out, _ = clean(ds, identify=stub_identify, min_lang_score=0.85, trust_labels=False, quality=None,
                   allow_empty=True)  # fmt: skip
    assert out.num_rows == 0


def test_unlabelled_rows_without_identifier_fail_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    import aimm_nlp.corpus.cleaning as cleaning

    monkeypatch.setattr(cleaning, "resolve_identify", lambda identify: identify)
    with pytest.raises(DataError, match="no lang label and no language identifier"):
        clean(make(["salam 3lik"]), langs=["ary_Latn"])


def test_empty_result_names_the_step() -> None:
    ds = make(["salam labas 3lik", "واش نتا مزيان"], ["ary_Latn", "ary_Arab"])
    with pytest.raises(DataError, match=r"removed all 2 documents; step 'lang' removed the last 2"):
        clean(ds, langs=["zgh_Tfng"])
    with pytest.raises(DataError, match=r"step 'length' removed the last 2 .*lower min_chars"):
        clean(ds, min_chars=500)


def test_malformed_rows_are_counted_not_silently_dropped(tmp_path: Path) -> None:
    path = tmp_path / "tweets.jsonl"
    path.write_text(
        '{"text": "salam labas"}\n{"text": broken}\n{"text": "واش نتا مزيان"}\n', encoding="utf-8"
    )
    out, report = clean(load_corpus(path, on_error="skip"))
    assert out.column_names == ["text", "lang", "source"]
    assert list(out["text"]) == ["salam labas", "واش نتا مزيان"]
    malformed = report.steps[0]
    assert malformed.name == "malformed" and malformed.removed == 1
    assert "tweets.jsonl:2: invalid JSON" in malformed.examples[0]


def test_bad_options_are_all_reported() -> None:
    with pytest.raises(ConfigError) as err:
        clean(make(["salam"]), dedup="fuzzy", near_threshold=1.5, langs="ary_Latn")
    assert len(err.value.errors) == 3
    with pytest.raises(DataError, match="columns found: sentence"):
        clean(Dataset.from_dict({"sentence": ["salam"]}))


def planted(shared: Path, n: int = 300) -> tuple[list[str], set[int]]:
    from aimm_nlp.corpus._planted import plant_near_duplicates

    pool = list(load_corpus("afrisenti_ma", split="train", data_dir=shared / "data")["text"])[:3000]
    return plant_near_duplicates(pool, n=n, seed=7)


def test_near_dedup_on_planted_duplicates(shared: Path) -> None:
    docs, copies = planted(shared)
    assert len(copies) >= 250
    out, report = clean(make(docs), quality=None, dedup="near")
    removed = set(range(len(docs))) - {int(s) for s in out["source"]}
    hits = len(removed & copies)
    recall, precision = hits / len(copies), hits / len(removed)
    assert recall >= 0.95, recall
    assert precision >= 0.99, precision
    assert counts(report)["near_dup"] + counts(report)["exact_dup"] == len(removed)


def test_exact_dedup_on_planted_duplicates(shared: Path) -> None:
    docs, _ = planted(shared, n=0)
    base = len(docs)
    docs = docs + [docs[i] for i in range(0, base, 7)] + [docs[i] + "  " for i in range(3, base, 11)]
    out, report = clean(make(docs), quality=None, dedup="exact")
    assert list(out["text"])[:3] == list(clean(make(docs[:3]), quality=None)[0]["text"])
    assert out.num_rows == base and counts(report)["exact_dup"] == len(docs) - base


def test_num_proc_two_equals_one_and_streaming_equals_eager(shared: Path, tmp_path: Path) -> None:
    docs, _ = planted(shared, n=100)
    docs = [*docs[:1200], "😂😂😂", "", "https://t.co/x", *docs[1200:]]
    path = tmp_path / "docs.txt"
    path.write_text("\n".join(docs) + "\n", encoding="utf-8")
    options = {"dedup": "near", "min_chars": 5, "langs": ["ary_Arab", "ary_Latn"], "identify": stub_identify}
    one, rep1 = clean(load_corpus(path), **options)
    two, rep2 = clean(load_corpus(path), num_proc=2, **options)
    lazy, rep3 = clean(load_corpus(path, streaming=True), **options)
    lazy2, _ = clean(load_corpus(path, streaming=True), num_proc=2, **options)
    rows = one.to_list()
    assert rows == two.to_list() == list(lazy) == list(lazy2)
    assert rep1.to_dict() == rep2.to_dict()
    rep3.tally.finish()
    assert rep3.to_dict() == rep1.to_dict()
    assert rep1.n_output == len(rows) and rep1.n_input == len(docs)


def test_streaming_result_can_be_read_twice(files: dict[str, Path]) -> None:
    lazy, report = clean(load_corpus(files["txt"], streaming=True), min_chars=2)
    first = list(lazy)
    assert report.complete and report.n_output == len(first) == 7
    assert list(lazy) == first  # a second epoch starts with fresh dedup state and counts
    assert report.n_input == 10


def test_default_identifier_is_aimm_langid() -> None:
    from aimm_nlp.text import langid

    texts = ["واش نتا مزيان؟ الله يعطيك الصحة", "salam labas 3lik a khoya", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ ⵎⴰⵏⵣⴰⴽⵉⵏ"]
    out, report = clean(make(texts), langs=["zgh_Tfng"], quality=None)
    assert list(out["text"]) == [texts[2]] and list(out["lang"]) == ["zgh_Tfng"]
    assert report.config["identify"] == f"{langid.__name__}.identify"


def test_unlabelled_rows_get_a_language_without_a_filter() -> None:
    """Default options (no ``langs``): rows without a label are identified, labelled rows keep theirs."""
    texts = ["واش نتا مزيان؟ الله يعطيك الصحة", "salam labas 3lik a khoya", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ ⵎⴰⵏⵣⴰⴽⵉⵏ", "merci"]
    out, _ = clean(make(texts, [None, None, None, "fra_Latn"]), quality=None)
    assert list(out["lang"]) == ["ary_Arab", "ary_Latn", "zgh_Tfng", "fra_Latn"]
    out, _ = clean(make([texts[0], "salam labas a khoya", texts[2]]), identify=stub_identify, quality=None)
    assert list(out["lang"]) == ["ary_Arab", "fra_Latn", "zgh_Tfng"]  # the stub: no Arabizi digit -> fra_Latn


def test_min_lang_score_applies_without_a_filter() -> None:
    texts = ["واش نتا مزيان", "salam 3lik", "bonjour tout le monde"]  # stub scores 0.9, 0.8, 0.4
    out, report = clean(make(texts), identify=stub_identify, min_lang_score=0.85, quality=None)
    assert list(out["text"]) == ["واش نتا مزيان"]
    assert counts(report)["lang"] == 2


def test_default_identifier_runs_once_per_batch_with_the_same_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    """aimm's identify is called as identify_batch on the rows that need a language (not text by text),
    giving the same labels and scores as any other str -> LangGuess callable."""
    from aimm_nlp.text import langid

    texts = [
        "واش نتا مزيان؟",
        "salam labas 3lik",
        "Le film était magnifique.",
        "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ",
        "chno hada 😂",
        "wa",
    ]
    labels = [None, None, "fra_Latn", None, None, None]
    calls = []
    batch = langid.identify_batch
    monkeypatch.setattr(langid, "identify_batch", lambda t, **kw: calls.append(len(t)) or batch(t, **kw))
    fast, _ = clean(make(texts, labels), quality=None, min_lang_score=0.6)
    assert calls == [5]  # one call, the five unlabelled rows
    slow, _ = clean(
        make(texts, labels), quality=None, min_lang_score=0.6, identify=lambda t: langid.identify(t)
    )
    assert list(fast["lang"]) == list(slow["lang"]) and list(fast["text"]) == list(slow["text"])
    assert list(fast["lang"])[:3] == ["ary_Arab", "ary_Latn", "fra_Latn"]


# --- exact dedup hashes the *normalized* text and keeps the first copy (found by mutation testing):
# variants the default normalizer folds (letter elongation, tatweel) are the same document; case is not
# folded, so ``Wach`` and ``wach`` stay two documents.

EXACT_DOCS = [  # text, label; what the default normalizer folds is the same document
    ("واش نتا مزيااااان؟", "ary_Arab"),
    ("واش نتا مزيان؟", "ary_Arab"),  # elongation folded: duplicate of the first
    ("الحمد لله", "ary_Arab"),
    ("الحمـــد لله", "ary_Arab"),  # tatweel removed: duplicate of the third
    ("salam labas 3lik", "ary_Latn"),
    ("salaaaaam labas 3lik", "ary_Latn"),  # elongation folded: duplicate
    ("wach nta mzyan", "ary_Latn"),
    ("Wach nta mzyan", "ary_Latn"),  # case is kept: a different document
    ("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "zgh_Tfng"),
    ("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ", "zgh_Tfng"),  # byte-identical
]


def make_labelled(docs: list[tuple[str, str]]) -> Dataset:
    return Dataset.from_dict({"text": [t for t, _ in docs], "lang": [lang for _, lang in docs]})


@pytest.mark.parametrize(
    ("normalize", "dedup", "expected"),
    [
        (
            "auto",
            "exact",
            [
                "واش نتا مزيان؟",
                "الحمد لله",
                "salam labas 3lik",
                "wach nta mzyan",
                "Wach nta mzyan",
                "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ",
            ],
        ),
        (  # no normalizer: only the byte-identical Tifinagh pair is a duplicate
            None,
            "exact",
            [t for t, _ in EXACT_DOCS[:9]],
        ),
        (  # no dedup: every normalized document is kept, duplicates included
            "auto",
            None,
            [
                "واش نتا مزيان؟",
                "واش نتا مزيان؟",
                "الحمد لله",
                "الحمد لله",
                "salam labas 3lik",
                "salam labas 3lik",
                "wach nta mzyan",
                "Wach nta mzyan",
                "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ",
                "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ",
            ],
        ),
    ],
)
def test_exact_dedup_on_normalized_text(normalize, dedup, expected) -> None:
    out, report = clean(make_labelled(EXACT_DOCS), normalize=normalize, dedup=dedup, quality=None)
    assert list(out["text"]) == expected
    removed = {s.name: s.removed for s in report.steps}
    assert removed.get("exact_dup", 0) == len(EXACT_DOCS) - len(expected)


def test_exact_dedup_keeps_the_first_copy_with_its_own_label() -> None:
    docs = [
        ("salam labas 3lik", "ary_Latn"),
        ("wach nta mzyan", "ary_Latn"),
        ("salaaam labas 3lik", "fra_Latn"),
    ]
    out, _ = clean(make_labelled(docs), dedup="exact", quality=None)
    assert list(zip(out["text"], out["lang"], strict=True)) == [
        ("salam labas 3lik", "ary_Latn"),
        ("wach nta mzyan", "ary_Latn"),
    ]
