"""Training a user model (more classes), loading it, and every bad-input path (API and CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aimm_nlp.cli import main
from aimm_nlp.errors import DataError, InputFileError, ModelError
from aimm_nlp.text import identify, identify_batch
from aimm_nlp.text.langid import read_table, train_langid

ROWS = {
    "ary_Latn": [
        "wach nta mzyan",
        "ana ghadi l dar",
        "3afak jib lkhobz",
        "bghit nchri tomobil",
        "safi ghadi n3es",
    ],
    "fra_Latn": [
        "je suis fatigué",
        "la réunion de demain",
        "il fait très chaud",
        "merci beaucoup",
        "à demain",
    ],
    "eng_Latn": [
        "see you tomorrow",
        "thank you so much",
        "the weather is nice",
        "i am running late",
        "good luck",
    ],
    "spa_Latn": [
        "muchas gracias amigo",
        "buenos días señor",
        "dónde está la playa",
        "hasta mañana",
        "me gusta",
    ],
    "ary_Arab": ["واش كاين شي حد", "هاد الفيلم زوين", "غادي نجي غدا", "بغيت نمشي للدار", "شحال هادي"],
}


def _write(path: Path, rows: dict[str, list[str]], *, label_col: str = "label") -> Path:
    lines = [f"text\t{label_col}"] + [f"{t}\t{lab}" for lab, texts in rows.items() for t in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def user_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lid")
    data = _write(folder / "train.tsv", ROWS)
    out = folder / "model"
    assert main(["langid", "train", "--data", str(data), "--text-col", "text", "--label-col", "label",
                 "--out", str(out), "--bits", "14", "--C", "50"]) == 0  # fmt: skip
    return out


def test_user_model_with_more_classes(user_model: Path) -> None:
    cfg = json.loads((user_model / "config.json").read_text(encoding="utf-8"))
    assert cfg["labels"] == sorted(ROWS)
    assert identify("muchas gracias señor", model=user_model).lang == "spa_Latn"
    assert identify("واش كاين", model=user_model).lang == "ary_Arab"
    assert identify("", model=user_model).lang == "und"
    guesses = identify_batch(["hasta mañana amigo", "merci beaucoup"], model=user_model)
    assert [g.lang for g in guesses] == ["spa_Latn", "fra_Latn"]
    assert set(guesses[0].scores) == set(ROWS)


def test_cli_identify_with_user_model(
    user_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    src = tmp_path / "in.txt"
    src.write_text("buenos días amigo\n\nthank you so much\n", encoding="utf-8")
    assert main(["langid", "--model", str(user_model), "--format", "jsonl", str(src)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["lang"] for x in lines] == ["spa_Latn", "und", "eng_Latn"]


def test_cli_shipped_model_tsv_and_words(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = tmp_path / "in.txt"
    src.write_text("wach nta mzyan\nⴰⵣⵓⵍ\n2024\nwach nta mzyan je suis fatigué\n", encoding="utf-8")
    assert main(["langid", str(src), "--words"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in out] == ["ary_Latn", "zgh_Tfng", "und", "ary_Latn"]
    assert out[3].split("\t")[2].split() == [
        "wach/ary_Latn",
        "nta/ary_Latn",
        "mzyan/ary_Latn",
        "je/fra_Latn",
        "suis/fra_Latn",
        "fatigué/fra_Latn",
    ]
    assert main(["langid", str(src), "-o", str(tmp_path / "o.tsv")]) == 0
    assert len((tmp_path / "o.tsv").read_text(encoding="utf-8").splitlines()) == 4


def test_unknown_model_dir(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        identify("salam", model=tmp_path / "nope")
    (tmp_path / "model.npz").write_bytes(b"PK")
    with pytest.raises(ModelError, match="is a file, not a folder"):
        identify("salam", model=tmp_path / "model.npz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"config\.json is missing"):
        identify("salam", model=tmp_path / "empty")
    src = tmp_path / "in.txt"
    src.write_text("salam\n", encoding="utf-8")
    out = tmp_path / "out.tsv"
    assert main(["langid", "--model", str(tmp_path / "nope"), str(src), "-o", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not out.exists()


def test_model_with_other_labels(user_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "weights.npz").write_bytes((user_model / "weights.npz").read_bytes())
    cfg = json.loads((user_model / "config.json").read_text(encoding="utf-8"))
    cfg["labels"] = ["ary_Latn", "fra_Latn"]
    (bad / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    with pytest.raises(ModelError, match="do not match config"):
        identify("salam", model=bad)
    assert main(["langid", "--model", str(bad)]) == 2
    assert "do not match" in capsys.readouterr().err


def test_label_column_missing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = _write(tmp_path / "t.tsv", ROWS, label_col="labels")
    with pytest.raises(DataError, match=r"column 'label' not found.*did you mean"):
        read_table(data, text_col="text", label_col="label")
    args = ["langid", "train", "--data", str(data), "--text-col", "text", "--label-col", "label"]
    assert main([*args, "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert "t.tsv:1: column 'label' not found" in err and "columns are: text, labels" in err
    assert not (tmp_path / "m").exists()


def test_class_with_one_example(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rows = {**ROWS, "zgh_Tfng": ["ⴰⵣⵓⵍ"]}
    with pytest.raises(DataError, match=r"zgh_Tfng \(1\)"):
        train_langid(
            [t for ts in rows.values() for t in ts],
            [k for k, ts in rows.items() for _ in ts],
            out=tmp_path / "m",
        )
    data = _write(tmp_path / "t.tsv", rows)
    args = ["langid", "train", "--data", str(data), "--text-col", "text", "--label-col", "label"]
    assert main([*args, "--out", str(tmp_path / "m")]) == 2
    assert "at least 2 examples" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_missing_training_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file"):
        read_table(tmp_path / "none.tsv", text_col="text", label_col="label")


def test_jsonl_and_csv_tables(tmp_path: Path) -> None:
    jl = tmp_path / "t.jsonl"
    jl.write_text('{"t": "salam", "y": "ary_Latn"}\n{"t": "bonjour", "y": "fra_Latn"}\n', encoding="utf-8")
    assert read_table(jl, text_col="t", label_col="y") == (
        ["salam", "bonjour"],
        ["ary_Latn", "fra_Latn"],
        ["data"] * 2,
    )
    csv_path = tmp_path / "t.csv"
    csv_path.write_text('text,label\n"salam, labas",ary_Latn\n', encoding="utf-8")
    assert read_table(csv_path, text_col="text", label_col="label")[0] == ["salam, labas"]


def _load_tool(name: str):
    """A maintainer script of tools/ (not part of the package), imported from its file."""
    import importlib.util

    path = Path(__file__).resolve().parents[3] / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_training_table_keeps_the_hold_out_out(shared: Path) -> None:
    tool = _load_tool("build_langid_data")
    build_training_table, has_darija_marker = tool.build_training_table, tool.has_darija_marker
    heldout, read_tsv = tool.heldout, tool.read_tsv

    keep = build_training_table(shared)
    drop = build_training_table(shared, unmarked_seed="drop")
    test = {
        r["text"].strip()
        for r in read_tsv(shared / "data" / "langid_moroccan" / "langid.tsv")
        if heldout(r["id"])
    }
    assert {label for _, label, _ in keep} == {
        "arb_Arab", "ary_Arab", "ary_Latn", "ber_Latn", "eng_Latn", "fra_Latn", "zgh_Tfng"
    }  # fmt: skip
    assert not test & {text for text, _, _ in keep}
    extra = set(keep) - set(drop)
    assert set(drop) <= set(keep) and len(extra) > 1000
    assert all(label == "ary_Arab" and not has_darija_marker(text) for text, label, _ in extra)
    assert keep == build_training_table(shared)  # deterministic


def test_chunks_and_source_weights(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    texts = [t for ts in ROWS.values() for t in ts]
    labels = [k for k, ts in ROWS.items() for _ in ts]
    sources = ["tweets" if i % 2 else "wiki" for i in range(len(texts))]
    common = {"bits": 14, "C": 50, "word_model": False}
    cfg = train_langid(
        texts, labels, sources=sources, out=tmp_path / "m", chunks=3, source_weights={"tweets": 0.5}, **common
    )
    assert cfg["training"]["chunks"] == 3 and cfg["training"]["source_weights"] == {"tweets": 0.5}
    assert cfg["training"]["rows_with_chunks"] > 3 * len(texts)
    assert identify("muchas gracias señor", model=tmp_path / "m").lang == "spa_Latn"
    with pytest.raises(DataError, match="not in the data"):
        train_langid(texts, labels, sources=sources, out=tmp_path / "x", source_weights={"news": 2}, **common)
    with pytest.raises(DataError, match="0 or more"):
        train_langid(texts, labels, out=tmp_path / "x", chunks=-1, **common)
    with pytest.raises(DataError, match="0 or more"):
        train_langid(
            texts, labels, sources=sources, out=tmp_path / "x", source_weights={"wiki": -1}, **common
        )
    assert not (tmp_path / "x").exists()
    data = _write(tmp_path / "t.tsv", ROWS)
    args = ["langid", "train", "--data", str(data), "--text-col", "text", "--label-col", "label"]
    assert main([*args, "--out", str(tmp_path / "y"), "--source-weight", "data=0.5"]) == 2
    assert "--source-weight wants SOURCE=FACTOR and --source-col" in capsys.readouterr().err
    assert not (tmp_path / "y").exists()


def test_bias_shift_moves_one_intercept(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import numpy as np

    texts = [t for ts in ROWS.values() for t in ts]
    labels = [k for k, ts in ROWS.items() for _ in ts]
    common = {"bits": 14, "C": 50, "word_model": False}
    train_langid(texts, labels, out=tmp_path / "a", **common)
    cfg = train_langid(texts, labels, out=tmp_path / "b", bias_shift={"spa_Latn": 0.25}, **common)
    assert cfg["training"]["bias_shift"] == {"spa_Latn": 0.25}
    a, b = np.load(tmp_path / "a" / "weights.npz"), np.load(tmp_path / "b" / "weights.npz")
    assert np.array_equal(a["W"], b["W"])
    np.testing.assert_allclose(b["b"] - a["b"], [0.25 * (c == "spa_Latn") for c in sorted(ROWS)], atol=1e-6)
    with pytest.raises(DataError, match="not in the data"):
        train_langid(texts, labels, out=tmp_path / "x", bias_shift={"deu_Latn": 1}, **common)
    data = _write(tmp_path / "t.tsv", ROWS)
    args = ["langid", "train", "--data", str(data), "--text-col", "text", "--label-col", "label"]
    assert main([*args, "--out", str(tmp_path / "y"), "--bias-shift", "spa_Latn"]) == 2
    assert "--bias-shift wants LABEL=DELTA" in capsys.readouterr().err
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_wordfreq_pseudo_sentences_leave_darija_words_out() -> None:
    pytest.importorskip("wordfreq")
    tool = _load_tool("build_langid_data")
    darija = ["راه غادي فالطريق في الدار", "كان في الدار مع الناس"] * 50
    texts = tool.wordfreq_texts(darija, 300)
    assert texts == tool.wordfreq_texts(darija, 300)  # fixed seed
    words = [w for t in texts for w in t.split()]
    assert all(3 <= len(t.split()) <= 10 for t in texts)
    assert all(all("\u0621" <= ch <= "\u064a" for ch in w) for w in words)
    # في, كان, الناس are frequent MSA words too, but these Darija texts use them far more often
    assert {"في", "كان", "الناس"}.isdisjoint(words) and {"التي", "الذي"} <= set(words)
    assert any("في" in t.split() for t in tool.wordfreq_texts(["راه غادي"], 300))  # kept otherwise


@pytest.mark.parametrize(
    ("tweet", "kept"),
    [
        ("wach nta mrid bzaaaaf had l3am", "واش نتا مريض بزاف هاد لعام"),  # Darija, elongation squeezed
        (
            "@user 3lach ma jitich lbare7 😂😂 https://t.co/x",
            "@user علاش ما جيتيش البارح 😂😂 https://t.co/x",
        ),
        ("wach kayn chi probleme f had tomobil", None),  # 1 of 7 words left in Latin: kept (checked below)
        ("chno had lklam ya khoya c'est pas possible", False),  # 3 of 8 words left in Latin: out
        ("Bonne nuit tout le monde a demain", False),  # French
        (
            "lakin hadihi almasala allati tatakallamu 3anha mohima",
            False,
        ),  # rendered MSA: tweet_label says arb
        ("7na hna", False),  # under 3 words
        ("", False),
        ("k", False),
        ("😂😂😂", False),
    ],
)
def test_translit_tweets_render_darija_and_leave_french_and_msa_out(
    tweet: str, kept: str | bool | None
) -> None:
    tool = _load_tool("build_langid_data")
    out = tool.translit_tweet_texts([tweet])
    if kept is False:
        assert out == []
    elif kept is None:
        assert len(out) == 1 and out[0].split()[0] == "واش" and sum(w.isascii() for w in out[0].split()) == 1
    else:
        assert out == [kept]


def test_marsum_titles_are_the_darija_titles(tmp_path: Path) -> None:
    tool = _load_tool("build_langid_data")
    f = tmp_path / "MArSum1_test.txt"
    f.write_text(
        "text summary\n"
        '"أكدت جمهورية كوريا دعمها لجهود هيأة الأمم المتحدة." "كوريا داعمة المغرب على الصحرا ديالو"\n'
        '"مقال." "شدو اللي هرب"\n'  # 3 words: kept
        '"مقال آخر." "عاجل"\n'  # under 3 words: out
        '"" ""\n',
        encoding="utf-8",
    )
    assert tool.marsum_titles(f) == ["كوريا داعمة المغرب على الصحرا ديالو", "شدو اللي هرب"]
    bad = tmp_path / "other.txt"
    bad.write_text("tweet,label\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"other\.txt: line 1 must be the MArSum header"):
        tool.marsum_titles(bad)


def test_arsarcasm_keeps_msa_tweets_that_read_msa(tmp_path: Path) -> None:
    tool = _load_tool("build_langid_data")
    f = tmp_path / "training_data.csv"
    f.write_text(
        "tweet,sarcasm,sentiment,dialect\n"
        "من أبجديات الديمقراطية أن تحكم الأغلبية,False,neutral,msa\n"
        "انا مش فاهم حاجة خالص,False,negative,egypt\n"  # not labelled msa: out
        "شكرا جزيلا,False,positive,msa\n"  # under 3 words: out
        "واش هاد الشي بزاف عليكم والله,False,negative,msa\n"  # labelled msa, but Darija by tweet_label: out
        '"شاهد 😂 استمرار فعاليات إحياء الذكرى https://t.co/x",False,neutral,msa\n',
        encoding="utf-8",
    )
    assert tool.arsarcasm_msa_texts([f]) == [
        "من أبجديات الديمقراطية أن تحكم الأغلبية",
        "شاهد 😂 استمرار فعاليات إحياء الذكرى https://t.co/x",
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nمرحبا بكم جميعا,msa\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"bad\.csv: needs the ArSarcasm-v2 columns"):
        tool.arsarcasm_msa_texts([bad])


@pytest.mark.parametrize(
    ("arabic", "kept"),
    [
        ("هل يمكنك مساعدتي في العثور على توم؟", True),  # conversational MSA
        ("لا أشعر بالعطش.", True),
        ("مرحباً بك!", False),  # under 3 words
        ("", False),
        ("ا", False),
        ("واش نتا بخير بزاف", False),  # Darija by tweet_label: out
        ("Tom is here now", False),  # Latin script
        ("أنا سعيد جدااااا اليوم 😂", True),  # elongation and emoji kept as written
    ],
)
def test_tatoeba_ara_keeps_standard_arabic_sentences(tmp_path: Path, arabic: str, kept: bool) -> None:
    tool = _load_tool("build_langid_data")
    attribution = "CC-BY 2.0 (France) Attribution: tatoeba.org #1 (CK) & #2 (saeb)"
    f = tmp_path / "ara.txt"
    f.write_text(f"Hi.\t{arabic}\t{attribution}\nHi again.\t{arabic}\t{attribution}\n", encoding="utf-8")
    assert tool.tatoeba_ara_texts(f) == ([arabic] if kept else [])  # the duplicate line counts once


@pytest.mark.parametrize(
    "line", ["Hi.\tمرحبا بكم جميعا هنا\n", "Hi.\tمرحبا بكم جميعا هنا\tno license\n", "just one field\n"]
)
def test_tatoeba_ara_refuses_lines_without_their_attribution(tmp_path: Path, line: str) -> None:
    tool = _load_tool("build_langid_data")
    f = tmp_path / "ara.txt"
    good = "Hi.\tمرحبا بكم جميعا هنا\tCC-BY 2.0 (France) Attribution: tatoeba.org #1 (a) & #2 (b)\n"
    f.write_text(good + line, encoding="utf-8")
    with pytest.raises(SystemExit, match=r"ara\.txt:2: expected 3 tab-separated fields"):
        tool.tatoeba_ara_texts(f)


@pytest.mark.parametrize(
    ("darija", "expected"),
    [
        ("", ""),
        ("ا", ""),
        ("😂😂", ""),
        ("واش نتا بخير", ""),  # the round trip gives it back unchanged: out
        ("هاذ الشي زوييييين بزاف", "هاد لشي زوين بزاف"),  # ذ -> د, elongation squeezed
        ("ثلاثة ذهب ضحك", "تلاتة دهب ضحك"),
        ("مات الوالد ديالها في نورمان، في سنة 1912", ""),  # only the comma changes: out
    ],
)
def test_roundtrip_gives_the_arabizi_typers_spelling_or_nothing(darija: str, expected: str) -> None:
    tool = _load_tool("build_langid_data")
    assert tool.roundtrip_texts([darija]) == [expected]


# A tiny Darija/MSA(/French) training set for the maintainer tools' tests: بزاف only in Darija, جدا only in MSA.
TINY_ROWS = {
    "ary_Arab": ["واش كاين شي حد", "هاد الفيلم زوين بزاف", "غادي نجي غدا", "بغيت نمشي للدار", "شحال هادي"],
    "arb_Arab": ["أين ذهبت أمس", "هذا الفيلم جميل جدا", "سوف آتي غدا", "أريد أن أذهب", "كم الساعة الآن"],
    "fra_Latn": ["je suis fatigué", "on va au marché", "merci beaucoup", "il fait beau"],
}


def _train_tiny(rows: dict[str, list[str]], out: Path) -> tuple[list[str], list[str]]:
    """Train a small sentence model (2^12 buckets, no word model) on ``rows``; its texts and labels."""
    texts = [t for ts in rows.values() for t in ts]
    labels = [k for k, ts in rows.items() for _ in ts]
    train_langid(texts, labels, out=out, bits=12, word_model=False)
    return texts, labels


def test_prune_tool_zeroes_small_weights_and_keeps_the_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import numpy as np

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[3] / "tools"))
    tool = _load_tool("prune_langid")
    rows = {k: TINY_ROWS[k] for k in ("ary_Arab", "arb_Arab")}
    _train_tiny(rows, tmp_path / "m")
    dev = tmp_path / "dev.tsv"
    dev.write_text(
        "id\ttext\tlabel\n" + "".join(f"w:{i}\t{t}\tary_Arab\n" for i, t in enumerate(rows["ary_Arab"])),
        encoding="utf-8",
    )
    before = np.load(tmp_path / "m" / "weights.npz")["W"]
    cut = float(np.quantile(np.abs(before[before != 0].astype(np.float32)), 0.5))
    assert tool.main(["--model", str(tmp_path / "m"), "--below", str(cut), "--dev", str(dev)]) == 0
    assert "decisions flipped" in capsys.readouterr().out
    with np.load(tmp_path / "m" / "weights.npz", allow_pickle=False) as z:
        assert sorted(z.files) == ["W", "b"] and z["W"].dtype == np.float16 and z["W"].shape == before.shape
        after = z["W"]
    small = np.abs(before.astype(np.float32)) < cut
    assert small.any() and not after[small].any() and np.array_equal(after[~small], before[~small])
    cfg = json.loads((tmp_path / "m" / "config.json").read_text("utf-8"))
    assert cfg["training"]["pruned_below"] == cut and cfg["format"] == "aimm_langid"
    for bad in ("0", "-1e-3", "nan"):
        with pytest.raises(SystemExit):
            tool.main(["--model", str(tmp_path / "m"), "--below", bad, "--dev", str(dev)])


def test_nb_tool_adds_the_darija_msa_ratio_and_leaves_other_classes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import numpy as np

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[3] / "tools"))
    tool = _load_tool("nb_langid")
    texts, labels = _train_tiny(TINY_ROWS, tmp_path / "m")
    table = tmp_path / "train.tsv"
    table.write_text(
        "text\tlabel\tsource\n"
        + "".join(f"{t}\t{lab}\tdata\n" for t, lab in zip(texts, labels, strict=True)),
        encoding="utf-8",
    )
    dev = tmp_path / "dev.tsv"
    dev_rows = [("بزاف ديال الناس", "ary_Arab"), ("واش نتا هنا", "ary_Arab"), ("ذهب إلى المدرسة", "arb_Arab")]
    dev_rows += [("هذا جميل جدا", "arb_Arab"), ("غادي نمشي", "ary_Arab"), ("أين الكتاب", "arb_Arab")]
    dev.write_text(
        "id\ttext\tlabel\n" + "".join(f"d:{i}\t{t}\t{lab}\n" for i, (t, lab) in enumerate(dev_rows)), "utf-8"
    )
    before = np.load(tmp_path / "m" / "weights.npz")["W"].astype(np.float32)
    cfg = json.loads((tmp_path / "m" / "config.json").read_text("utf-8"))
    ratio, n_ary, n_arb = tool.log_count_ratio(texts, labels, ["data"] * len(texts), cfg, 1.0)
    assert (n_ary, n_arb) == (5, 5)
    # a Darija-only word counts for Darija, an MSA-only one for MSA; a bucket no Arabic row has counts for nothing
    x = tool.feature_matrix(["بزاف", "جدا"], cfg, normalise=False)
    assert (x[0] @ ratio)[0] > 0 > (x[1] @ ratio)[0]
    unseen = np.asarray(tool.feature_matrix(texts[:10], cfg, normalise=False).sum(axis=0)).ravel() == 0
    assert unseen.any() and not ratio[unseen].any() and ratio[~unseen].all()

    args = ["--model", str(tmp_path / "m"), "--data", str(table), "--dev", str(dev), "--alpha", "1"]
    assert tool.main(args) == 0
    assert "beta" in capsys.readouterr().out
    after = np.load(tmp_path / "m" / "weights.npz")["W"].astype(np.float32)
    info = json.loads((tmp_path / "m" / "config.json").read_text("utf-8"))["training"]["nb"]
    assert info["alpha"] == 1.0 and info["rows"] == {"ary_Arab": 5, "arb_Arab": 5}
    ary, arb, fra = (cfg["labels"].index(c) for c in ("ary_Arab", "arb_Arab", "fra_Latn"))
    # the Darija-minus-MSA weights move by beta * ratio (float16 storage), the rest does not move
    moved = (after[:, ary] - after[:, arb]) - (before[:, ary] - before[:, arb])
    assert np.allclose(moved[1:], info["beta"] * ratio[1:], atol=2e-2)
    assert np.allclose(after[:, ary] + after[:, arb], before[:, ary] + before[:, arb], atol=2e-2)
    assert np.array_equal(after[:, fra], before[:, fra])
    with pytest.raises(SystemExit):  # twice would add the ratio twice
        tool.main(args)
    for bad in ("0", "-1", "nan"):
        with pytest.raises(SystemExit):
            tool.main([*args[:-1], bad])
    _train_tiny({k: TINY_ROWS[k] for k in ("ary_Arab", "fra_Latn")}, tmp_path / "no_msa")
    no_msa = tmp_path / "no_msa.tsv"
    no_msa.write_text(
        "text\tlabel\tsource\n" + "".join(f"{t}\tary_Arab\tdata\n" for t in TINY_ROWS["ary_Arab"]), "utf-8"
    )
    with pytest.raises(SystemExit):
        tool.main(["--model", str(tmp_path / "no_msa"), "--data", str(no_msa), "--dev", str(dev)])
    assert "needs ary_Arab and arb_Arab rows, has 5 and 0" in capsys.readouterr().err
