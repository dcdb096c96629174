"""Training that cannot silently lose (issue 21): held-out split by target word, the default's and the
model's held-out CER side by side, back-off to the shipped ranker chosen on the training side."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from aimm_nlp.cli import main
from aimm_nlp.cli.translit import _note_no_sources, _warn_if_worse
from aimm_nlp.errors import ConfigError
from aimm_nlp.text.translit import Transliterator, _backoff, evaluate_transliteration, train_transliterator
from aimm_nlp.text.translit._eval import fold

# Real Darija words, several Arabizi spellings of each (as users write them).
SPELLINGS = {
    "بزاف": ["bzaf", "bezzaf", "bzzaf", "bzaaaf"],
    "علاش": ["3lach", "3lash", "3lech"],
    "غادي": ["ghadi", "ghadii", "radi"],
    "واخا": ["wakha", "waxa", "wakhkha"],
    "مزيان": ["mzyan", "mzian", "mezyan"],
    "كاين": ["kayn", "kayen", "kain"],
    "شنو": ["chno", "chnou", "shno"],
    "دابا": ["daba", "dba", "dabaa"],
    "بغيت": ["bghit", "brit", "bghiit"],
    "خويا": ["khouya", "khoya", "5oya"],
    "صاحبي": ["sahbi", "s7abi", "sa7bi"],
    "زوين": ["zwin", "zouin", "zwiin"],
    "عافاك": ["3afak", "3fak", "afak"],
    "والو": ["walo", "walou", "wallo"],
    "كولشي": ["kolchi", "koulchi", "kolxi"],
    "شويا": ["chwiya", "chwia", "shwiya"],
}


def _pairs(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("latin\tarabic\n" + "".join(f"{a}\t{b}\n" for a, b in rows), "utf-8")
    return path


def test_held_out_rows_keep_every_spelling_of_a_word_on_one_side(tmp_path: Path) -> None:
    rows = [(s, ar) for ar, spellings in SPELLINGS.items() for s in spellings]
    pairs = _pairs(tmp_path / "p.tsv", rows)
    report = train_transliterator(
        pairs, src_col="latin", dst_col="arabic", out=tmp_path / "m", iterations=2, holdout=0.4, seed=3
    )
    assert 0 < report.heldout_rows < len(rows) and report.rows_used + report.heldout_rows == len(rows)
    data = json.loads(gzip.decompress((tmp_path / "m" / "joint.json.gz").read_bytes()))
    trained_on = {a for a in data["lexicon"]}
    for spellings in SPELLINGS.values():
        squeezed = {s.replace("aaa", "a") for s in spellings}
        assert squeezed <= trained_on or not squeezed & trained_on  # all or none of a word's spellings
    side = json.loads((tmp_path / "m" / "model.json").read_text("utf-8"))
    held = side["heldout"]
    assert held["rows"] == report.heldout_rows
    assert set(held) == {"rows", "default", "model", "worse_than_default"}  # no source column: no "sources"
    assert held["default"]["n"] == held["model"]["n"] == report.heldout_rows
    assert side["split"] == {"holdout": 0.4, "seed": 3, "unit": "target text (Arabic side, folded)"}
    assert report.heldout == held and set(report.backoff["short"]["rule"]) == {
        "min_prob",
        "guard",
        "lexicon_min",
    }


@pytest.mark.parametrize("holdout", [0.2, 0.5])
def test_held_out_split_is_fixed_by_the_seed(tmp_path: Path, holdout: float) -> None:
    rows = [(s, ar) for ar, spellings in SPELLINGS.items() for s in spellings]
    pairs = _pairs(tmp_path / "p.tsv", rows)
    kw = {"src_col": "latin", "dst_col": "arabic", "iterations": 1, "holdout": holdout}
    a = train_transliterator(pairs, out=tmp_path / "a", **kw)
    b = train_transliterator(pairs, out=tmp_path / "b", **kw)
    assert a.heldout_rows == b.heldout_rows and a.heldout == b.heldout


def test_a_model_of_a_wrong_convention_backs_off_to_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pairs whose Arabic side is garbage (each word reversed): cross-validation on the training rows
    finds the joint model worse than the shipped ranker, so unseen words get the default's spelling."""
    monkeypatch.setattr(_backoff, "MIN_CV_WORDS", 10)  # decide on these few words (not "no evidence")
    rows = [(s, ar[::-1]) for ar, spellings in SPELLINGS.items() for s in spellings]
    pairs = _pairs(tmp_path / "p.tsv", rows)
    report = train_transliterator(pairs, src_col="latin", dst_col="arabic", out=tmp_path / "m", holdout=0.0)
    assert report.backoff["short"]["words"] >= 40
    assert report.backoff["short"]["cer_folded_rule"] == report.backoff["short"]["cer_folded_shipped"]
    assert report.backoff["short"]["rule"] == {"min_prob": 1.01, "guard": True, "lexicon_min": 0}
    assert report.backoff["short"]["words_changed"] == 0 and report.backoff["short"]["beats_shipped"] is None
    side = json.loads((tmp_path / "m" / "model.json").read_text("utf-8"))
    assert side["backoff_cv"] == report.backoff  # the printed figures are the model's record
    assert side["backoff_cv"]["bootstrap"] == {"resamples": 1000, "level": 0.95, "unit": "target text"}
    unseen = ["nta", "hadchi", "mchina", "lyoum", "3lik", "bslama", "", "😂", "mzyaaaan"]
    model = Transliterator(src="ary_Latn", dst="ary_Arab", model=tmp_path / "m").batch(unseen)
    assert model == Transliterator(src="ary_Latn", dst="ary_Arab").batch(unseen)


def test_a_model_of_its_own_convention_is_used_where_cross_validation_trusts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same words with their real spellings: the chosen rule beats the shipped ranker on the folds,
    and lines of one word and running text get their own rules (no running text here: shipped)."""
    monkeypatch.setattr(_backoff, "MIN_CV_WORDS", 10)
    rows = [(s, ar) for ar, spellings in SPELLINGS.items() for s in spellings]
    pairs = _pairs(tmp_path / "p.tsv", rows)
    report = train_transliterator(pairs, src_col="latin", dst_col="arabic", out=tmp_path / "m", holdout=0.0)
    short, long = report.backoff["short"], report.backoff["long"]
    assert short["cer_folded_rule"] <= short["cer_folded_shipped"]
    assert long["words"] == 0 and long["rule"] == {"min_prob": 1.01, "guard": True, "lexicon_min": 0}
    side = json.loads((tmp_path / "m" / "model.json").read_text("utf-8"))
    assert side["config"]["backoff"] == {"short": short["rule"], "long": long["rule"]}
    line = "ana bghit nmchi l dar daba m3a khouya"  # running text: the shipped spelling, word for word
    model = Transliterator(src="ary_Latn", dst="ary_Arab", model=tmp_path / "m")
    assert model(line) == Transliterator(src="ary_Latn", dst="ary_Arab")(line)
    assert model.batch([line, "bzaf"]) == [model(line), model("bzaf")]


def test_eval_reports_the_default_beside_the_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [(s, ar) for ar, spellings in SPELLINGS.items() for s in spellings]
    pairs = _pairs(tmp_path / "p.tsv", rows)
    train_transliterator(
        pairs, src_col="latin", dst_col="arabic", out=tmp_path / "m", iterations=2, holdout=0
    )
    report = evaluate_transliteration(pairs, src_col="latin", dst_col="arabic", model=tmp_path / "m")
    default = evaluate_transliteration(pairs, src_col="latin", dst_col="arabic")
    assert report.default == default.overall and default.default == default.overall
    argv = ["translit", "eval", "--pairs", str(pairs), "--src-col", "latin", "--dst-col", "arabic"]
    assert main([*argv, "--model", str(tmp_path / "m")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["default"]["cer_folded"] == round(default.overall.cer_folded, 4)
    assert out["cer_folded_vs_default"] == round(report.overall.cer_folded / default.overall.cer_folded, 4)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"holdout": 0.6}, "holdout=0.6: must be between 0 and 0.5"),
        ({"holdout": -0.1}, "holdout=-0.1: must be between 0 and 0.5"),
        ({"holdout": float("nan")}, "holdout=nan"),
        ({"seed": 1.5}, "seed=1.5: must be a whole number"),
        ({"seed": True}, "seed=True: must be a whole number"),
    ],
)
def test_bad_training_options_are_listed_before_any_work(tmp_path: Path, kwargs: dict, message: str) -> None:
    pairs = _pairs(tmp_path / "p.tsv", [("bzaf", "بزاف")])
    with pytest.raises(ConfigError, match="nothing was trained") as err:
        train_transliterator(pairs, src_col="latin", dst_col="arabic", out=tmp_path / "m", order=9, **kwargs)
    assert message in str(err.value) and "order=9" in str(err.value)
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("value", ["0.7", "-1", "nan"])
def test_cli_holdout_out_of_range_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    pairs = _pairs(tmp_path / "p.tsv", [("bzaf", "بزاف")])
    argv = ["translit", "train", "--pairs", str(pairs), "--src-col", "latin", "--dst-col", "arabic"]
    assert main([*argv, "--out", str(tmp_path / "m"), "--holdout", value]) == 2
    assert "--holdout must be 0.0 to 0.5" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    ("b_words", "expected"),
    [
        # the word list's source would lose 1 letter in 4 to the joint model: shipped everywhere
        (150, _backoff.BackoffRule()),
        # too few words of that source to tell: the rule that wins overall (joint model everywhere)
        (50, _backoff.BackoffRule(0.0, True, 0)),
    ],
)
def test_no_source_of_the_pair_file_pays_for_another(b_words: int, expected: _backoff.BackoffRule) -> None:
    """Sentences gain 1 letter in 4 with the joint model, a word list loses as much: the rule may not
    trade one source for the other (rows: reference, kind, source, shipped, in vocab, joint, prob,
    lexicon, target text)."""
    sentences = [("بزاف", "short", "sentences", "بزف", False, "بزاف", 0.9, None, f"s{i}") for i in range(300)]
    word_list = [
        ("واخا", "short", "words.csv", "واخا", False, "واخ", 0.9, None, f"w{i}") for i in range(b_words)
    ]
    rule, figures = _backoff._best_rule(sentences + word_list)
    assert rule == expected and figures["cer_folded_rule"] <= figures["cer_folded_shipped"]


def _cv_rows(gains: int, losses: int, gains_at_half: int = 0, losses_at_half: int = 0) -> list[tuple]:
    """Scored cross-validation words of one kind of line: 300 the shipped ranker and the joint model
    both spell right, then ``gains`` the joint model alone spells right (posterior 0.95), ``losses``
    it alone spells wrong, and as many of each at posterior 0.5."""
    right = ("بزاف", "short", "words.csv", "بزاف", False, "بزاف", 1.0, None)
    gain = ("واخا", "short", "words.csv", "واخ", False, "واخا", 0.95, None)
    loss = ("واخا", "short", "words.csv", "واخا", False, "واخ", 0.95, None)
    rows = [right] * 300 + [gain] * gains + [loss] * losses
    rows += [(*gain[:6], 0.5, None)] * gains_at_half + [(*loss[:6], 0.5, None)] * losses_at_half
    return [(*r, f"target{i}") for i, r in enumerate(rows)]


@pytest.mark.parametrize(
    ("rows", "expected", "changed"),
    [
        # 3 words better, 2 worse: a lower CER over the folds, but no better than chance: shipped
        (_cv_rows(3, 2), _backoff.BackoffRule(), 0),
        # 2 words better, none worse: the bootstrap cannot tell it from chance either
        (_cv_rows(2, 0), _backoff.BackoffRule(), 0),
        # 30 words better, none worse: clear evidence, the joint model is used
        (_cv_rows(30, 0), _backoff.BackoffRule(0.0, True, 0), 30),
        # and 2 better / 1 worse more below posterior 0.6: the best rule (all 33) does not beat the
        # one changing 30 words beyond chance, so the one changing fewer words is chosen
        (_cv_rows(30, 0, 2, 1), _backoff.BackoffRule(0.6, True, 0), 30),
    ],
)
def test_a_rule_must_beat_the_shipped_ranker_beyond_chance(
    rows: list[tuple], expected: _backoff.BackoffRule, changed: int
) -> None:
    rule, figures = _backoff._best_rule(rows, seed=0)
    assert rule == expected and figures["words_changed"] == changed
    assert figures["best_candidate"] is not None  # there was a rule with a lower CER over the folds
    assert (
        figures["best_candidate"]["cer_folded"] <= figures["cer_folded_rule"] <= figures["cer_folded_shipped"]
    )
    if rule == _backoff.BackoffRule():
        assert (
            figures["best_candidate"]["beats_shipped"] < _backoff.LEVEL and figures["beats_shipped"] is None
        )
    else:
        assert figures["beats_shipped"] >= _backoff.LEVEL


# Single-word training rows: 96 Darija words (16 words, alone and with a clitic in front).
_TARGETS = [pre + ar for ar in SPELLINGS for pre in ("", "ل", "ب", "ف", "و", "ك")]


def _latin(ar: str, spelling: int = 0) -> str:
    clitic = {"ل": "l", "ب": "b", "ف": "f", "و": "w", "ك": "k"}
    word = ar[1:] if ar[0] in clitic and ar[1:] in SPELLINGS else ar
    return (clitic[ar[0]] if word != ar else "") + SPELLINGS[word][spelling]


@pytest.mark.parametrize(
    ("shipped_wrong", "joint_wrong", "uses_joint"), [(3, 2, False), (2, 0, False), (30, 0, True)]
)
def test_single_word_lines_back_off_unless_the_folds_show_a_real_gain(
    monkeypatch: pytest.MonkeyPatch, shipped_wrong: int, joint_wrong: int, uses_joint: bool
) -> None:
    """Cross-validation on a tiny word list with stand-in spellers: a joint model that fixes a few of
    the shipped ranker's words (and breaks others) is not trusted on single-word lines; one that fixes
    many is."""
    monkeypatch.setattr(_backoff, "MIN_CV_WORDS", 10)
    rows = [(ar, "words.csv", [(_latin(ar), ar)]) for ar in _TARGETS]
    truth = {_latin(ar): ar for ar in _TARGETS}
    latin = sorted(truth)
    bad_shipped = set(latin[:shipped_wrong])
    bad_joint = set(latin[shipped_wrong : shipped_wrong + joint_wrong])

    def shipped(words: list[str]) -> list[str]:
        return [truth[w][:-1] if w in bad_shipped else truth[w] for w in words]

    def train(pairs: list[tuple[str, str]]):  # the "trained" model: right except on bad_joint
        return lambda word, k: [(truth[word][:-1] if word in bad_joint else truth[word], 0.0)]

    rules, report = _backoff.choose_rules(rows, train=train, shipped=shipped, vocab=set(), seed=0)
    assert report["short"]["words"] == len(_TARGETS) and report["long"]["words"] == 0
    assert report["bootstrap"] == {"resamples": 1000, "level": 0.95, "unit": "target text"}
    assert (rules["short"] != _backoff.BackoffRule()) is uses_joint
    assert report["short"]["rule"] == rules["short"].to_dict()
    assert report["short"]["words_changed"] == (shipped_wrong + joint_wrong if uses_joint else 0)
    assert rules["long"] == _backoff.BackoffRule()  # no running text: the shipped ranker


@pytest.mark.parametrize(
    ("joint_on_word_list", "word_list_words", "worse"),
    [
        # the joint model writes the sentences' convention on the word list's words too (an alif for
        # every vowel, as DODa's sentences do): the long-line rule would spell its 4-word entries worse
        ("vowels written", 96, True),
        # it spells them as the word list does: nothing to tell
        ("as the word list", 96, False),
        # too few word-list words to tell (fewer than MIN_SOURCE_WORDS): nothing said
        ("vowels written", 40, False),
    ],
)
def test_the_report_tells_what_a_rule_costs_the_other_kind_of_line(
    monkeypatch: pytest.MonkeyPatch, joint_on_word_list: str, word_list_words: int, worse: bool
) -> None:
    """Sentences of 4 words (their Latin ends in a written vowel, their Arabic in an alif) and a word
    list of single words, with stand-in spellers: the shipped ranker drops the sentences' alif, the
    joint model writes it. The long-line rule is the joint model's; where it spells the word list's
    words worse, the report names that source with both CERs (a 4-word entry would pay that)."""
    monkeypatch.setattr(_backoff, "MIN_CV_WORDS", 10)
    monkeypatch.setattr(_backoff, "MIN_SOURCE_WORDS", 50)
    word_list = _TARGETS[:word_list_words]
    sentence_words = [(_latin(ar) + "a", ar + "ا") for ar in _TARGETS]
    rows = [(ar, "words.csv", [(_latin(ar), ar)]) for ar in word_list]
    for i in range(0, len(sentence_words), 4):
        wp = sentence_words[i : i + 4]
        rows.append((" ".join(ar for _, ar in wp), "sentences", wp))
    truth = {**{_latin(ar): ar for ar in word_list}, **dict(sentence_words)}
    in_sentences = {la for la, _ in sentence_words}

    def shipped(words: list[str]) -> list[str]:  # the word list's convention: no written vowels
        return [truth[w][:-1] if w in in_sentences else truth[w] for w in words]

    def train(pairs: list[tuple[str, str]]):
        vowels = joint_on_word_list == "vowels written"
        return lambda w, k: [(truth[w] + "ا" if vowels and w not in in_sentences else truth[w], 0.0)]

    rules, report = _backoff.choose_rules(rows, train=train, shipped=shipped, vocab=set(), seed=0)
    assert rules["long"] != _backoff.BackoffRule() and report["long"]["words"] == len(sentence_words)
    assert rules["short"] == _backoff.BackoffRule() and report["short"]["worse_on_other_lines"] == {}
    letters = sum(len(fold(ar)) for ar in word_list)  # one letter too many in every word
    expected = {
        "words.csv": {
            "words": word_list_words,
            "cer_folded_shipped": 0.0,
            "cer_folded_rule": round(word_list_words / letters, 4),
        }
    }
    assert report["long"]["worse_on_other_lines"] == (expected if worse else {})


@pytest.mark.parametrize(
    ("joint", "sentences", "uses_joint"),
    [
        # right only on words whose Arabic it was trained on: the word list's words, which the
        # training sentences hold (in another spelling), look right over the folds but would be wrong
        # unseen: shipped
        ("knows its training words", "sentences", False),
        ("knows its training words", None, False),
        # the same rows all of one source (no source column): one convention, its rows stay seen
        ("knows its training words", "words.csv", True),
        # right on unseen words too: a real gain, still used
        ("generalises", "sentences", True),
    ],
)
def test_a_word_list_entry_is_unseen_by_the_model_that_spells_it_over_the_folds(
    monkeypatch: pytest.MonkeyPatch, joint: str, sentences: str | None, uses_joint: bool
) -> None:
    """A word list whose words also stand in the training sentences (DODa's two files): over the folds
    the single-word lines are spelled by a model trained without the rows of another source holding
    their words, as the held-out split's entries are, so a model that only spells the words it was
    trained on well does not look better than the shipped ranker on them (which is wrong on 30 of the
    96 words). The entries' spellings are not in the sentences (``3lash`` there, ``3lach`` in the
    list): no lexicon entry spells them either."""
    monkeypatch.setattr(_backoff, "MIN_CV_WORDS", 10)
    truth = {_latin(ar): ar for ar in _TARGETS}
    bad_shipped = set(sorted(truth)[:30])
    rows = [(ar, "words.csv", [(_latin(ar), ar)]) for ar in _TARGETS]
    if sentences:  # every word in two sentences of 4 words, in its second spelling
        for offset in (0, 2):
            order = _TARGETS[offset:] + _TARGETS[:offset]
            for i in range(0, len(order), 4):
                wp = [(_latin(ar, 1), ar) for ar in order[i : i + 4]]
                rows.append((" ".join(ar for _, ar in wp), sentences, wp))
    truth |= {_latin(ar, 1): ar for ar in _TARGETS}

    def shipped(words: list[str]) -> list[str]:
        return [truth[w][:-1] if w in bad_shipped else truth[w] for w in words]

    def train(pairs: list[tuple[str, str]]):
        targets = {ar for _, ar in pairs}
        if joint == "generalises":
            return lambda w, k: [(truth[w], 0.0)]
        return lambda w, k: [(truth[w] if truth[w] in targets else truth[w] + "ا", 0.0)]

    rules, report = _backoff.choose_rules(rows, train=train, shipped=shipped, vocab=set(), seed=0)
    assert report["short"]["words"] == len(_TARGETS)
    assert (rules["short"] != _backoff.BackoffRule()) is uses_joint
    assert report["short"]["words_changed"] >= 30 if uses_joint else report["short"]["words_changed"] == 0


def test_held_out_scores_are_given_per_source(tmp_path: Path) -> None:
    """A pair file naming its sources: the held-out CER of the default and of the model per source, and
    the sources on which the model is worse, named (here every held-out row is scored in one of them)."""
    rows = [("bzaf", "بزاف", "words"), ("3lach", "علاش", "words"), ("wakha", "واخا", "words")]
    rows += [("mzyan", "مزيان", "words"), ("daba", "دابا", "words"), ("walo", "والو", "words")]
    rows += [
        (f"{a} {b} {c} {d}", f"{x} {y} {z} {w}", "sentences")
        for (a, x, _), (b, y, _), (c, z, _), (d, w, _) in zip(
            rows, rows[1:] + rows[:1], rows[2:] + rows[:2], rows[3:] + rows[:3], strict=True
        )
    ]
    rows += [
        ("kolchi zwin 😂", "كولشي زوين 😂", "sentences"),
        ("bzaaaaf", "بزاف", "words"),
        ("a", "ا", "words"),
    ]
    pairs = tmp_path / "p.tsv"
    pairs.write_text("latin\tarabic\tsource\n" + "".join(f"{a}\t{b}\t{c}\n" for a, b, c in rows), "utf-8")
    report = train_transliterator(
        pairs, src_col="latin", dst_col="arabic", out=tmp_path / "m", iterations=1, holdout=0.5, seed=1
    )
    held = report.heldout
    assert held["rows"] == report.heldout_rows > 0
    assert set(held["sources"]) <= {"words", "sentences"}
    assert sum(v["model"]["n"] for v in held["sources"].values()) == held["rows"]
    assert all(v["default"]["n"] == v["model"]["n"] for v in held["sources"].values())
    worse = [s for s, v in held["sources"].items() if v["model"]["cer_folded"] > v["default"]["cer_folded"]]
    overall = ["all rows"] if held["model"]["cer_folded"] > held["default"]["cer_folded"] else []
    assert held["worse_than_default"] == overall + worse


@pytest.mark.parametrize(
    ("worse", "expected"),
    [
        ([], None),
        (["all rows"], "all rows 0.1496 vs 0.1476"),
        (["all rows", "words"], "all rows 0.1496 vs 0.1476, words 0.151 vs 0.1476"),
        (["words"], "words 0.151 vs 0.1476"),
    ],
)
def test_training_warns_where_the_model_is_worse_than_the_default(
    capsys: pytest.CaptureFixture[str], worse: list[str], expected: str | None
) -> None:
    heldout = {
        "model": {"cer_folded": 0.1496},
        "default": {"cer_folded": 0.1476},
        "sources": {"words": {"model": {"cer_folded": 0.151}, "default": {"cer_folded": 0.1476}}},
        "worse_than_default": worse,
    }
    _warn_if_worse(heldout)
    err = capsys.readouterr().err
    if expected is None:
        assert err == ""
    else:
        assert err.startswith("warning: on the held-out rows the model is worse than the shipped default")
        assert expected in err and "`source` column" in err


@pytest.mark.parametrize(
    ("short", "long", "noted"),
    [
        ({"words": 6000, "sources": {"": 6000}}, {"words": 6005, "sources": {"": 6005}}, True),
        # sources named: the rules already keep each apart
        (
            {"words": 6000, "sources": {"words": 2000, "sentences": 4000}},
            {"words": 6005, "sources": {"sentences": 6005}},
            False,
        ),
        # a word list alone, no running text: nothing to mix
        ({"words": 7673, "sources": {"": 7673}}, {"words": 0, "sources": {}}, False),
    ],
)
def test_training_notes_a_mixed_pair_file_without_sources(
    capsys: pytest.CaptureFixture[str], short: dict, long: dict, noted: bool
) -> None:
    _note_no_sources({"short": short, "long": long})
    err = capsys.readouterr().err
    assert ("no `source` column" in err and "19% worse" in err) if noted else err == ""


def test_a_rule_that_never_takes_the_joint_spelling_does_not_search_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """min_prob above 1 (the back-off the folds choose when the model does not earn its place): a
    posterior is at most 1, so the joint model's beam search (~1 ms a word in Python) is skipped; the
    spellings are the same as when it runs, and the shipped ranker's."""
    from aimm_nlp.text.translit import _model

    monkeypatch.setattr(_backoff, "MIN_CV_WORDS", 10)
    rows = [(s, ar[::-1]) for ar, spellings in SPELLINGS.items() for s in spellings]
    pairs = _pairs(tmp_path / "p.tsv", rows)
    train_transliterator(pairs, src_col="latin", dst_col="arabic", out=tmp_path / "m", holdout=0.0)
    words = ["nta", "hadchi", "mchina", "lyoum", "3lik", "bslama", "bzaf", "BZAF", "mzyaaaan", "a"]
    ranker = _model.load_model(tmp_path / "m")
    short = ranker.line_views()["short"]
    assert short.rule.min_prob > 1.0
    searched: list[str] = []
    joint = _model.JointRanker._joint

    def spy(self: _model.JointRanker, word: str, k: int) -> list[tuple[str, float]]:
        searched.append(word)
        return joint(self, word, k)

    monkeypatch.setattr(_model.JointRanker, "_joint", spy)
    got = short.decide_many(words)
    assert searched == [] and [why for _, why in got] == ["shipped"] * len(words)
    always = _backoff.BackoffRule(min_prob=1.0, guard=False, lexicon_min=0)  # the search runs, every word
    short.rule = always
    forced = short.decide_many(words)
    assert searched == words
    assert [s for s, _ in got] == ranker.shipped.best_many(words)
    assert all(why in ("joint", "shipped") for _, why in forced)
