"""Sanity of the hand-labelled Darija / MSA dev set ``tests/data/langid_dev`` (issue 19, Build item 2).

The set is data, not code: these tests pin its format (header, fields, labels, 3-40 words, Arabic script),
its integrity (unique ids and texts, tweets unchanged from their source), that ``GUIDELINE.md`` states the
file's real label counts and sources, and that no dev text is in the language-ID training data.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from aimm_nlp.text import normalize

DEV_DIR = Path(__file__).parent / "data" / "langid_dev"
DEV = DEV_DIR / "dev.tsv"
GUIDELINE = DEV_DIR / "GUIDELINE.md"
HEADER = ["id", "text", "label", "source"]
LABELS = {"ary_Arab", "arb_Arab", "mixed"}
SOURCES = {"afrisenti_ma", "qcri_dialectal_pos_mgr", "written", "written_everyday"}
MIN_ROWS = 600
ID_PATTERNS = {
    "afrisenti_ma": re.compile(r"afrisenti_ma:ma_(?:dev|test)_\d{5}"),
    "qcri_dialectal_pos_mgr": re.compile(r"qcri_dialectal_pos_mgr:sent\d+"),
    "written": re.compile(r"written:\d{4}"),
    "written_everyday": re.compile(r"written_everyday:\d{4}"),
}
ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")
OTHER_LETTER = re.compile(r"[^\W\d_\u0600-\u06ff]")


def _rows() -> list[tuple[int, list[str]]]:
    """(line number, fields) of every data line; line 1 is the header."""
    with DEV.open(encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
    assert lines[-1] == "", "dev.tsv must end with one newline"
    return [(n, line.split("\t")) for n, line in enumerate(lines[:-1], start=1)]


ROWS = _rows()
DATA = [(n, dict(zip(HEADER, fields, strict=False))) for n, fields in ROWS[1:]]


def norm(text: str) -> str:
    """The duplicate key: normalised Darija preset (elongation, alef/yeh/teh-marbuta folds), letters only."""
    text = normalize(text, preset="ary_arab.v1", teh_marbuta=True)
    return " ".join(re.sub(r"[\W_]+", " ", text).casefold().split())


def _words_ok(row: dict) -> bool:
    return 3 <= len(row["text"].split()) <= 40


def _arabic_dominates(row: dict) -> bool:
    arabic = len(ARABIC_LETTER.findall(row["text"]))
    return arabic >= 3 and arabic >= 2 * len(OTHER_LETTER.findall(row["text"]))


ROW_CHECKS = {
    "label is ary_Arab, arb_Arab or mixed": lambda r: r["label"] in LABELS,
    "source is a known source": lambda r: r["source"] in SOURCES,
    "id names its source and row": lambda r: bool(
        r["source"] in ID_PATTERNS and ID_PATTERNS[r["source"]].fullmatch(r["id"])
    ),
    "text has 3-40 words": _words_ok,
    "Arabic-script letters dominate": _arabic_dominates,
    'no " or stray spaces in the text': lambda r: '"' not in r["text"] and r["text"] == r["text"].strip(),
}


def test_header_and_field_count():
    assert ROWS[0][1] == HEADER
    bad = [n for n, fields in ROWS if len(fields) != len(HEADER) or not all(fields)]
    assert not bad, f"dev.tsv lines without exactly 4 non-empty tab-separated fields: {bad[:20]}"


def test_enough_rows_and_a_realistic_label_mix():
    counts = Counter(row["label"] for _, row in DATA)
    assert len(DATA) >= MIN_ROWS
    # mostly MSA and Darija in similar amounts, code-switched texts a minority (GUIDELINE.md)
    assert counts["arb_Arab"] >= 0.35 * len(DATA) and counts["ary_Arab"] >= 0.35 * len(DATA), counts
    assert 0.05 * len(DATA) <= counts["mixed"] <= 0.2 * len(DATA), counts


@pytest.mark.parametrize("check", ROW_CHECKS, ids=list(ROW_CHECKS))
def test_every_row(check):
    bad = [f"line {n}: {row['id']}" for n, row in DATA if not ROW_CHECKS[check](row)]
    assert not bad, f"{check} fails on {len(bad)} rows: {bad[:20]}"


@pytest.mark.parametrize(
    ("what", "key"), [("id", lambda r: r["id"]), ("normalised text", lambda r: norm(r["text"]))]
)
def test_unique(what, key):
    seen: dict[str, int] = {}
    dup = []
    for n, row in DATA:
        k = key(row)
        if k in seen:
            dup.append(f"line {n} repeats line {seen[k]}")
        seen.setdefault(k, n)
    assert not dup, f"duplicate {what}: {dup[:20]}"


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("بزااااف عليك هاد الشي خويا", "بزاف عليك هاد الشي خويا!!"),
        ("إن الله مع الصابرين", "ان الله مع الصابرين"),
        ("مدرسةٌ العمومية تحتضر", "مدرسه العموميه تحتضر 😢"),
    ],
)
def test_duplicate_key_folds_spelling_variants(text, same_as):
    assert norm(text) == norm(same_as)


def _table(title: str) -> list[list[str]]:
    """The Markdown table under the ``## title`` heading of GUIDELINE.md (header row first)."""
    section = GUIDELINE.read_text(encoding="utf-8").split(f"\n## {title}\n", 1)
    assert len(section) == 2, f"GUIDELINE.md has no '## {title}' section"
    lines = section[1].split("\n## ", 1)[0].splitlines()
    rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines if ln.startswith("|")]
    return [r for r in rows if not all(set(c) <= {"-", ":"} for c in r)]


def test_guideline_label_counts_equal_the_file():
    header, *body = _table("Label counts")
    stated = {(row[0], src): int(v) for row in body for src, v in zip(header[1:], row[1:], strict=True)}
    actual = Counter((row["label"], row["source"]) for _, row in DATA)
    for label in LABELS:
        actual[(label, "total")] = sum(actual[(label, s)] for s in SOURCES)
    for src in [*SOURCES, "total"]:
        actual[("total", src)] = sum(actual[(label, src)] for label in LABELS)
    assert set(header[1:]) == {*SOURCES, "total"} and {row[0] for row in body} == {*LABELS, "total"}
    assert stated == {k: actual[k] for k in stated}


def test_guideline_lists_every_source_with_its_rows_and_license():
    header, *body = _table("Sources")
    assert header[:2] == ["source", "rows"] and "license" in header
    listed = {row[0]: int(row[1]) for row in body}
    assert listed == dict(Counter(row["source"] for _, row in DATA))
    assert all(row[header.index("license")] for row in body)


def _shared_tweets(shared: Path) -> dict[str, str]:
    """Dev-style id -> text of the shared tweets the set quotes."""
    out = {}
    for split in ("dev", "test"):
        with (shared / "data" / "afrisenti_ma" / f"{split}.tsv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                out[f"afrisenti_ma:{row['ID']}"] = row["tweet"]
    words: dict[str, list[str]] = {}
    with (shared / "data" / "qcri_dialectal_pos_mgr" / "seg_plus_pos_mgr.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["Word"] != "EOS":
                words.setdefault(f"qcri_dialectal_pos_mgr:sent{row['SentID']}", []).append(row["Word"])
    out.update({k: " ".join(v) for k, v in words.items()})
    return out


def test_tweets_are_unchanged_from_their_source(shared):
    tweets = _shared_tweets(shared)
    bad = [
        row["id"]
        for _, row in DATA
        if not row["source"].startswith("written") and tweets.get(row["id"]) != row["text"]
    ]
    assert not bad, f"tweets missing from or different to their source row: {bad[:20]}"


def test_no_dev_text_is_in_the_langid_training_data(shared):
    with (shared / "data" / "langid_moroccan" / "langid.tsv").open(encoding="utf-8", newline="") as fh:
        train = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(train) > 10_000, "langid_moroccan/langid.tsv looks truncated"
    train_texts = {norm(row["text"]) for row in train}
    train_ids = {row["source_id"] for row in train}
    leaked = [row["id"] for _, row in DATA if norm(row["text"]) in train_texts]
    leaked += [
        row["id"]
        for _, row in DATA
        if not row["source"].startswith("written") and row["id"].split(":", 1)[1] in train_ids
    ]
    assert not leaked, f"dev rows also in langid_moroccan (training data): {leaked[:20]}"


# --- translit.tsv: Latin-script AfriSenti test tweets rendered in Arabic script (a part of its own) ---

TRANSLIT = DEV_DIR / "translit.tsv"
TRANSLIT_HEADER = ["id", "text", "label", "source", "latn"]
TRANSLIT_ID = re.compile(r"afrisenti_translit:ma_test_\d{5}")


def _part_rows(path: Path, header: list[str]) -> list[dict[str, str]]:
    """The rows of a separate dev part: ``header``, then lines of that many non-empty tab-separated fields."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "", f"{path.name} must end with one newline"
    assert lines[0].split("\t") == header
    fields = [line.split("\t") for line in lines[1:-1]]
    assert all(len(f) == len(header) and all(f) for f in fields), f"{len(header)} non-empty fields per line"
    return [dict(zip(header, f, strict=True)) for f in fields]


TRANSLIT_ROWS = _part_rows(TRANSLIT, TRANSLIT_HEADER)


def _latin_word_share(text: str) -> float:
    words = [w for w in text.split() if not re.match(r"(@|#|https?:)", w) and any(ch.isalpha() for ch in w)]
    return sum(bool(OTHER_LETTER.search(w)) for w in words) / max(len(words), 1)


def test_translit_part_rows_ids_and_labels():
    assert all(TRANSLIT_ID.fullmatch(r["id"]) and r["source"] == "afrisenti_translit" for r in TRANSLIT_ROWS)
    assert all(r["label"] in LABELS for r in TRANSLIT_ROWS)
    assert len({r["id"] for r in TRANSLIT_ROWS}) == len(TRANSLIT_ROWS)
    assert len({norm(r["text"]) for r in TRANSLIT_ROWS}) == len(TRANSLIT_ROWS)
    # rendered in Arabic script (GUIDELINE: at most a quarter of the words left in Latin, @users, URLs and
    # hashtags not counted); the Latin original has no Arabic-script word
    assert all(_latin_word_share(r["text"]) <= 0.25 for r in TRANSLIT_ROWS)
    assert all(_latin_word_share(r["latn"]) > 0.5 for r in TRANSLIT_ROWS)
    assert not {r["id"].split(":", 1)[1] for r in TRANSLIT_ROWS} & {r["id"].split(":", 1)[1] for _, r in DATA}


def test_translit_part_quotes_test_split_tweets_unchanged(shared):
    with (shared / "data" / "afrisenti_ma" / "test.tsv").open(encoding="utf-8", newline="") as fh:
        tweets = {row["ID"]: " ".join(row["tweet"].split()) for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}  # fmt: skip
    bad = [r["id"] for r in TRANSLIT_ROWS if tweets.get(r["id"].rsplit(":", 1)[1]) != r["latn"]]
    assert not bad, f"latn differs from the AfriSenti test tweet: {bad[:20]}"


# --- unruled.tsv: real tweets the training rule (tweet_label) leaves out (a part of its own) ---

UNRULED = DEV_DIR / "unruled.tsv"


UNRULED_ROWS = _part_rows(UNRULED, HEADER)


@pytest.mark.parametrize("check", sorted(set(ROW_CHECKS) - {"id names its source and row"}))
def test_unruled_part_every_row(check):
    bad = [r["id"] for r in UNRULED_ROWS if not ROW_CHECKS[check](r)]
    assert not bad, f"{check}: {bad[:20]}"


def test_unruled_part_ids_sources_and_no_overlap():
    assert all(re.fullmatch(r"afrisenti_ma:ma_(?:train|dev|test)_\d{5}", r["id"]) for r in UNRULED_ROWS)
    assert {r["source"] for r in UNRULED_ROWS} == {"afrisenti_ma"}
    assert len({r["id"] for r in UNRULED_ROWS}) == len(UNRULED_ROWS)
    keys = [norm(r["text"]) for r in UNRULED_ROWS]
    assert len(set(keys)) == len(keys)
    assert not set(keys) & {norm(row["text"]) for _, row in DATA}
    assert not {r["id"] for r in UNRULED_ROWS} & {row["id"] for _, row in DATA}


@pytest.mark.parametrize(
    ("section", "rows"),
    [
        ("Transliterated Arabizi tweets (`translit.tsv`, a separate part)", TRANSLIT_ROWS),
        ("Tweets the training rule leaves out (`unruled.tsv`, a separate part)", UNRULED_ROWS),
    ],
    ids=["translit", "unruled"],
)
def test_guideline_states_each_part_counts(section, rows):
    header, *body = _table(section)
    assert header == ["label", "rows"]
    stated = {row[0]: int(row[1].split()[0]) for row in body}
    counts = Counter(r["label"] for r in rows)
    assert stated == {**counts, "total": len(rows)}


def test_unruled_part_is_in_no_training_table(shared):
    """The tweets are quoted unchanged, and the build script's rule leaves every one of them out, so the shipped
    recipe never trains on them (and ``--exclude`` of the part removes nothing from its table)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_langid_data", DEV_DIR.parents[2] / "tools" / "build_langid_data.py"
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    tweets = {}
    for split in ("train", "dev", "test"):
        with (shared / "data" / "afrisenti_ma" / f"{split}.tsv").open(encoding="utf-8", newline="") as fh:
            tweets.update({f"afrisenti_ma:{r['ID']}": r["tweet"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)})  # fmt: skip
    assert [tweets.get(r["id"]) for r in UNRULED_ROWS] == [r["text"] for r in UNRULED_ROWS]
    texts = [r["text"] for r in UNRULED_ROWS]
    labels = [tool.tweet_label(h, len(t.split())) for t, h in zip(texts, tool._hits(texts), strict=True)]
    assert labels == [None] * len(texts)
    # nor equal, once cleaned as the model sees it, to a project-written training line
    written = [line for label in ("ary", "arb") for line in (tool.WRITTEN / f"langid_written_{label}.txt").read_text("utf-8").splitlines()]  # fmt: skip
    assert not set(tool.cleaned(texts)) & set(tool.cleaned(written)) - {""}
