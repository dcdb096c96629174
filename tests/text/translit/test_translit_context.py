"""keep-foreign decided from the whole line (issue 21): a Darija word that merely looks French is
transliterated unless foreign words stand near it; a listed French/English word is kept even alone."""

from __future__ import annotations

import pytest

from aimm_nlp.text.translit import Transliterator, explain, transliterate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Darija words (DODa's word list) that the character model alone took for French/English
        ("arnab", "أرناب"),
        ("gamous", "ڭاموس"),
        ("kabbot", "كبّوت"),
        ("ARNAB 😂😂", "أرناب 😂😂"),
        ("chrit gmel zwin", "شريط جمل زوين"),
        ("3ndi kostim jdid", "عندي كوستيم جديد"),
        # an accented word alone on its line is not "a listed word": transliterated
        ("télé", "تل"),
        # weak foreign evidence with only Darija around it: transliterated
        ("bghit n9ra documentation", "بغيت نقرا دوكومنتاتيون"),
    ],
)
def test_darija_words_are_transliterated_without_foreign_context(text: str, expected: str) -> None:
    assert transliterate(text, src="ary_Latn", dst="ary_Arab") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("a", "ا"),
        ("😂", "😂"),
        ("arnaaaab", "أرناب"),  # elongation
        ("merci", "merci"),  # a listed word stays, also alone
        ("chouf télé daba", "شوف télé دابا"),
        ("la documentation svp", "la documentation svp"),
        ("ana f meeting, envoyer la documentation", "انا ف meeting, envoyer la documentation"),
        ("rani f la réunion daba", "راني ف la réunion دابا"),
    ],
)
def test_foreign_words_in_code_switched_lines_stay(text: str, expected: str) -> None:
    """Behaviour kept from before (guards for the change above)."""
    assert transliterate(text, src="ary_Latn", dst="ary_Arab") == expected


def test_batch_decides_each_line_in_its_own_context() -> None:
    lines = ["gmel", "envoyer la documentation ghda", "bghit documentation", "documentation svp", "", "😂"]
    t = Transliterator(src="ary_Latn", dst="ary_Arab")
    batch = t.batch(lines)
    assert batch == [Transliterator(src="ary_Latn", dst="ary_Arab")(line) for line in lines]
    assert batch[2].split()[1] != "documentation" and batch[3] == "documentation svp"


@pytest.mark.parametrize(
    ("text", "word", "kept", "reason", "word_reason", "neighbours"),
    [
        (
            "envoyer la documentation ghda",
            "documentation",
            True,
            "foreign_neighbours",
            "foreign_suffix",
            ("envoyer",),
        ),
        (
            "envoyer la documentation ghda",
            "la",
            True,
            "foreign_context",
            "darija_lexicon",
            ("envoyer", "documentation"),
        ),
        ("bghit n9ra documentation", "documentation", False, "darija_context", "foreign_suffix", ()),
        ("gamous", "gamous", False, "darija_context", "char_ngram", ()),
        ("chouf télé daba", "télé", True, "accent", "accent", ()),
    ],
)
def test_explain_shows_the_context_evidence(
    text: str, word: str, kept: bool, reason: str, word_reason: str, neighbours: tuple[str, ...]
) -> None:
    d = next(d for d in explain(text) if d.text == word)
    assert (d.kept, d.evidence.reason, d.evidence.word_reason, d.evidence.neighbours) == (
        kept,
        reason,
        word_reason,
        neighbours,
    )


def test_batch_shortcut_gives_the_line_by_line_decisions() -> None:
    """Lines are decided again in context only where a neighbour can change a verdict: the batch
    output equals deciding every line word by word (guard for that shortcut)."""
    import csv
    import re
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "data" / "codeswitch_translit.tsv"
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [re.sub(r"\[([^\]]+)\]", r"\1", r["marked"]) for r in csv.DictReader(fh, delimiter="\t")]
    lines += [
        "télé",
        "télé 😂",
        "la documentation",
        "gmel la",
        "envoyer,documentation",
        "documentation,gmel",
        "",
    ]
    t = Transliterator(src="ary_Latn", dst="ary_Arab")
    assert t.batch(lines) == ["".join(t._pieces(line)) for line in lines]
