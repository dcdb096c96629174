"""Boundaries of each quality rule (quality.yaml web.v1), found by mutation testing.

Expected reasons are counted by hand from the text: letters vs non-space characters, the length of
the longest run of one character, and whether a boilerplate phrase stands as whole words.
"""

from __future__ import annotations

import pytest

from aimm_nlp.corpus.quality import QualityRules, check_quality, quality_rules

WEB = quality_rules("web.v1")  # min_letter_share 0.5, max_char_run 8, link-only dropped


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", ""),
        ("و", ""),  # one letter
        # letters / non-space characters: exactly one half is kept, just under is dropped
        ("واش 123", ""),  # 3 letters / 6 characters = 0.5
        ("salam 1234!", ""),  # 5 / 10 = 0.5
        ("واش 1234", "letters"),  # 3 / 7 < 0.5
        ("ⴰⵣⵓ 1234", "letters"),  # 3 / 7 < 0.5 (Tifinagh letters count as letters)
        # spaces are not characters: 4 letters / 6 non-space = 0.67 (4 / 9 with spaces would fail)
        ("wa 3 ta 7", ""),
        ("ب 1 ت 2 ث", ""),  # 3 / 5
        ("😂😂 ههه", ""),  # 3 letters / 5 non-space characters
        ("😂😂😂 هه", "letters"),  # 2 / 5
    ],
)
def test_letter_share_boundary(text: str, reason: str) -> None:
    assert check_quality(text, WEB) == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("zw" + "i" * 8 + "n", ""),  # a run of 8 is allowed (max_char_run: 8)
        ("zw" + "i" * 9 + "n", "char_run"),  # 9 is one too many
        ("مزي" + "ا" * 8 + "ن", ""),
        ("مزي" + "ا" * 9 + "ن", "char_run"),
        ("salam labas " + "!" * 8, ""),  # a run of 8 punctuation marks; 10 letters / 18 characters
        ("salam labas " + "!" * 9, "char_run"),
        ("salam labas " + "😂" * 9, "char_run"),
        ("ha" * 10, ""),  # alternating characters are no run
    ],
)
def test_char_run_boundary(text: str, reason: str) -> None:
    assert check_quality(text, WEB) == reason


@pytest.mark.parametrize(
    ("run", "max_char_run", "reason"),
    [(3, 3, ""), (4, 3, "char_run"), (1, 1, ""), (2, 1, "char_run")],
)
def test_char_run_follows_custom_threshold(run: int, max_char_run: int, reason: str) -> None:
    rules = QualityRules(max_char_run=max_char_run)
    assert check_quality("b" + "z" * run + "af", rules) == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("@user", "link_only"),
        ("#maroc #dima_maghrib", "link_only"),
        ("https://hespress.com/x www.le360.ma", "link_only"),
        ("salam @user", ""),
        ("#maroc mzyan bzaf", ""),
        # a '#' or '@' that starts no link removes nothing: the text is judged by the other rules
        ("# 2024 !!!", "letters"),
        ("@ 10:30 !!", "letters"),
    ],
)
def test_link_only(text: str, reason: str) -> None:
    assert check_quality(text, WEB) == reason


def test_link_only_can_be_switched_off() -> None:
    rules = QualityRules(drop_link_only=False)
    assert check_quality("@user", rules) == ""  # "user" is letters once links are not special


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("salam, read more f site", "boilerplate"),
        ("READ MORE", "boilerplate"),  # case-insensitive
        ("TOUS DROITS RÉSERVÉS 2024", "boilerplate"),
        ("3ndi thread more f twitter", ""),  # 'read more' inside 'thread more': not whole words
        ("lire la suitee", ""),
        ("cliquez icibas", ""),
        ("اضغط هنا باش تشوف", "boilerplate"),
    ],
)
def test_boilerplate_whole_words(text: str, reason: str) -> None:
    assert check_quality(text, WEB) == reason


def test_custom_boilerplate_phrases_are_matched_without_case() -> None:
    rules = QualityRules(boilerplate=("Lire La Suite", "Abonnez-Vous"))
    assert check_quality("lire la suite", rules) == "boilerplate"
    assert check_quality("ABONNEZ-VOUS l chaine", rules) == "boilerplate"
    assert check_quality("wach nta mzyan", rules) == ""
