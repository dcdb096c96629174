"""`aimm_nlp.text.langid.evaluate` (= evaluate_langid): the identifier scored on a labelled table."""

from __future__ import annotations

import pytest

from aimm_nlp.errors import DataError
from aimm_nlp.text import langid

ROWS = [
    ("wach nta mzyaaaaan? ana ghadi l dar", "ary_Latn"),
    ("واش كاين شي حد فالدار؟", "ary_Arab"),
    ("ⴰⵣⵓⵍ ⴼⵍⴰⵡⵏ", "zgh_Tfng"),
    ("je suis fatigué aujourd'hui", "fra_Latn"),
    ("🙂🙂", "und"),
    ("ⴰⵣⵓⵍ", "ary_Latn"),  # a wrong gold label: Tifinagh is always zgh_Tfng
]


def _table(tmp_path, rows):
    path = tmp_path / "gold.tsv"
    path.write_text("text\tlabel\n" + "".join(f"{t}\t{lab}\n" for t, lab in rows), encoding="utf-8")
    return path


def test_scores_match_the_guesses_row_by_row(tmp_path):
    scores = langid.evaluate(_table(tmp_path, ROWS))
    pred = [g.lang for g in langid.identify_batch([t for t, _ in ROWS])]
    gold = [lab for _, lab in ROWS]
    assert pred[-1] == "zgh_Tfng"  # the planted error
    assert scores.n == 6
    assert scores.accuracy == pytest.approx(sum(p == g for p, g in zip(pred, gold, strict=True)) / 6)
    assert scores.confusion["ary_Latn"].get("zgh_Tfng") == 1
    assert scores.per_label["ary_Latn"]["support"] == 2
    assert scores.per_label["ary_Latn"]["recall"] == pytest.approx(
        sum(p == "ary_Latn" for p, g in zip(pred, gold, strict=True) if g == "ary_Latn") / 2
    )
    # macro-F1 averages the gold labels only (5 here), precision of zgh_Tfng is lowered by the error
    assert set(scores.per_label) == {"ary_Latn", "ary_Arab", "zgh_Tfng", "fra_Latn", "und"}
    f1 = [v["f1"] for v in scores.per_label.values()]
    assert scores.macro_f1 == pytest.approx(sum(f1) / len(f1))
    assert scores.per_label["zgh_Tfng"]["precision"] == pytest.approx(0.5)
    assert scores.to_dict()["n"] == 6


def test_all_right_gives_one(tmp_path):
    scores = langid.evaluate_langid(_table(tmp_path, ROWS[:5]))
    assert (scores.accuracy, scores.macro_f1) == (1.0, 1.0)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("text\tlabel\n", "no data rows"),
        ("text\tlang\nsalam\tary_Latn\n", "label"),
        ("text\tlabel\nsalam\t\n", "empty label"),
    ],
)
def test_bad_tables_name_the_problem(tmp_path, content, needle):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=needle):
        langid.evaluate(path)
