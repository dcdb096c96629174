"""The same task YAML reads the same documents as lm-eval (``datasets`` csv builder -> pandas)."""

from __future__ import annotations

import csv

import pytest

from aimm_nlp._paths import shared_root
from aimm_nlp.evaluation.data import read_docs
from aimm_nlp.evaluation.sandbox import compile_template

DATA = shared_root() / "data" / "afrisenti_ma"
PROMPT = "Tweet: {{tweet}}\nSentiment:"


@pytest.mark.skipif(not (DATA / "dev.tsv").is_file(), reason="needs ../shared/data/afrisenti_ma")
@pytest.mark.parametrize("split", ["train", "dev", "test"])
def test_afrisenti_docs_equal_lmeval(split, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    path = DATA / f"{split}.tsv"
    cfg = {"dataset_path": "csv", "dataset_kwargs": {"data_files": {"test": str(path)}, "delimiter": "\t"}}
    theirs = datasets.load_dataset(
        "csv", data_files={"test": str(path)}, delimiter="\t", cache_dir=str(tmp_path)
    )["test"]
    ours = read_docs(path, cfg)
    render = compile_template(PROMPT)
    assert len(ours) == len(theirs) > 0
    diff = [
        i
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
        if render.render(**a) != render.render(**b) or a != b
    ]
    assert diff == []


@pytest.mark.parametrize(
    ("line", "quoting", "tweet"),
    [
        ('"wa3er ""bzaf"""', None, 'wa3er "bzaf"'),  # quoted field, doubled quotes: pandas' default
        ('"wa3er ""bzaf"""', csv.QUOTE_NONE, '"wa3er ""bzaf"""'),  # quoting: 3 keeps them as text
        ('"ⵜⴰⵎⴰⵣⵉⵖⵜ"', None, "ⵜⴰⵎⴰⵣⵉⵖⵜ"),
        ('"سلام"', None, "سلام"),
        ('قال "لا"', None, 'قال "لا"'),  # a quote inside a field is text
        ("😂😂", None, "😂😂"),
    ],
)
def test_tsv_quoting_default(line, quoting, tweet, tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text(f"id\ttweet\n1\t{line}\n", encoding="utf-8")
    kw = {"delimiter": "\t", **({"quoting": quoting} if quoting is not None else {})}
    assert read_docs(path, {"dataset_path": "csv", "dataset_kwargs": kw})[0]["tweet"] == tweet


# columns lm-eval (datasets -> pandas.read_csv) types or blanks: empty and NA-looking cells, integers with
# and without a gap, numbers, True/False, text that only looks numeric in some rows, an empty column
TRICKY = (
    "id\ttweet\tlabel\tscore\tflag\tempty\tmix\n"
    "1\twach nta mzyaaaan 😂\t1\t0.5\tTrue\t\t1\n"
    "2\t\t\t1e3\tFalse\t\tNA\n"
    "3\tNA\t3\t-2\tTrue\t\t2.5\n"
    "4\tnull\t4\tinf\tFalse\t\tⵜⴰⵎⴰⵣⵉⵖⵜ\n"
    "5\tواش كاين شي جديد؟\t+5\t.5\tFALSE\t\tسلام\n"
)


@pytest.mark.parametrize("sep", ["\t", ","])
def test_cell_types_and_missing_values_equal_lmeval(sep, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    path = tmp_path / ("d.tsv" if sep == "\t" else "d.csv")
    path.write_text(TRICKY.replace("\t", sep), encoding="utf-8")
    theirs = list(
        datasets.load_dataset(
            "csv", data_files={"test": str(path)}, delimiter=sep, cache_dir=str(tmp_path / "c")
        )["test"]
    )
    ours = read_docs(path, {"dataset_path": "csv", "dataset_kwargs": {"delimiter": sep}})
    assert ours == theirs
    assert [type(v) for v in ours[0].values()] == [type(v) for v in theirs[0].values()]
    render = compile_template(PROMPT)
    assert [render.render(**d) for d in ours] == [render.render(**d) for d in theirs]
