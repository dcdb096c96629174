"""The ranked Arabizi search over a whole batch in numpy: the same spellings as the Python search.

About internals: the private ``aimm_nlp.text.translit._beam_np`` search against ``rank_rules``."""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from aimm_nlp.text.translit import _model
from aimm_nlp.text.translit._beam_np import BatchSearch
from aimm_nlp.text.translit._model import RuleRanker, default_model
from aimm_nlp.text.translit._rules import _case_fold, rank_rules
from translit_support import real_arabizi_words

# Every branch of the rule cascade (initial, final, before a doubled consonant, lowercased), graphemes
# no rule knows, emphatic capitals, one letter, emoji and Arabic letters inside a Latin word, elongation
# left in, a final sigma, a letter whose lowercase is longer, the empty word, a 64-letter word.
EDGE = [
    "", "e", "3", "é", "'", "l'", "x", "eeoo", "3lach", "7na", "bzaf", "9lb", "lmghrib", "khdmt",
    "tkhSiS", "ttT", "3ammi", "shhel", "elkhobz", "ouaouaouaouaoua", "aeiouaeiouaeiou", "bzzzzaaaf",
    "yéyéyéyé", "a😀b", "bّ", "كتاب", "dyalk", "mchina", "tchina", "bouchta", "Zwin", "x" * 64,
    "réunion", "weekend", "ghadi", "lqahwa", "3aychin", "mzyan", "2", "5dma", "ΣΑΣ", "İstanbul",
]  # fmt: skip


@pytest.fixture(scope="module")
def ranker() -> RuleRanker:
    model = default_model()
    assert isinstance(model, RuleRanker)
    return model


def _search(ranker: RuleRanker, beam: int | None = None) -> BatchSearch:
    return BatchSearch(
        ranker.table,
        ranker.lm,
        ranker.vocab,
        lm_weight=ranker.lm_weight,
        vocab_bonus=ranker.vocab_bonus,
        beam=ranker.beam if beam is None else beam,
    )


def _python(ranker: RuleRanker, words: list[str]) -> list[str]:
    return [r[0][0] if (r := ranker.rank(w, k=1)) else w for w in words]


def test_edge_words_match_the_python_search(ranker: RuleRanker) -> None:
    words = [w for w in dict.fromkeys(map(_case_fold, EDGE)) if w not in ranker.table.lexicon]
    assert len(words) >= 35
    search = _search(ranker)
    assert search.best_many(words) == _python(ranker, words)
    assert search.best_many([]) == []
    # word by word (option sets memoised across calls) and in reverse order: the same spellings
    assert [search.best_many([w])[0] for w in words] == _python(ranker, words)
    assert search.best_many(words[::-1]) == _python(ranker, words[::-1])


@pytest.mark.parametrize("beam", [1, 2, 40])
def test_other_beams_match_the_python_search(ranker: RuleRanker, beam: int) -> None:
    # beam 1-2: nearly every layer is cut (ties by first place); 40: almost none is
    words = [w for w in dict.fromkeys(map(_case_fold, EDGE)) if w not in ranker.table.lexicon]
    expected = [
        r[0][0]
        for r in (
            rank_rules(
                w,
                table=ranker.table,
                lm=ranker.lm,
                vocab=ranker.vocab,
                k=1,
                beam=beam,
                lm_weight=ranker.lm_weight,
                vocab_bonus=ranker.vocab_bonus,
            )
            for w in words
        )
    ]
    assert _search(ranker, beam).best_many(words) == expected


def test_doda_and_tweet_words_match_the_python_search(ranker: RuleRanker, shared: Path) -> None:
    """Real data: 1,500 DODa words (evaluation use) and 1,500 Arabizi tweet words, byte for byte."""
    words = real_arabizi_words(shared, 12, ranker.table.lexicon)
    assert _search(ranker).best_many(words) == _python(ranker, words)


@pytest.mark.usefixtures("without_native")
def test_the_ranker_takes_the_batch_search_from_batch_min_words(
    ranker: RuleRanker, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = BatchSearch.best_many

    def spy(self: BatchSearch, words: list[str]) -> list[str]:
        calls.append(len(words))
        return real(self, words)

    monkeypatch.setattr(BatchSearch, "best_many", spy)
    monkeypatch.setattr(ranker, "_jit", None)
    monkeypatch.setattr(_model, "JIT_AFTER", 10**9)
    syllables = ("ka", "ri", "mo", "tu", "le", "sa", "bi", "no")
    words = [a + b + c for a in syllables for b in syllables for c in syllables][: _model.BATCH_MIN + 5]
    expected = _python(ranker, words)
    assert ranker.best_many(words[:5]) == expected[:5]  # below BATCH_MIN: the Python search
    assert ranker.best_many(words) == expected
    assert calls == [len(words)]


def test_a_small_job_never_imports_numba(tmp_path: Path, shared: Path) -> None:
    # 3,000 new words: the Python search used to check numba's cache by importing numba (0.4 s),
    # which made the keep-foreign scorer compile its own kernel (~6 s on a new install).
    with open(shared / "data/doda/words_translit.tsv", encoding="utf-8", newline="") as fh:
        doda = sorted({r["latin"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)})
    lines = random.Random(3).sample(doda, 3000)
    (tmp_path / "in.txt").write_text("\n".join(lines), encoding="utf-8")
    code = (
        "import sys; from aimm_nlp.text.translit import Transliterator\n"
        "t = Transliterator(src='ary_Latn', dst='ary_Arab')\n"
        f"t.batch(open({str(tmp_path / 'in.txt')!r}, encoding='utf-8').read().split('\\n'))\n"
        "print('numba' in sys.modules)"
    )
    env = {**os.environ, "AIMM_CACHE_DIR": str(tmp_path / "aimm"), "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    env.pop("AIMM_NO_JIT", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize(
    "keys", [[], [""], ["a"], ["\x02سلا", "م"], ["😂😂", "ⴰⵣⵓⵍ", "réunion", "3afak", "bzzzzaaaf"]]
)
def test_hash_many_equals_the_hash_of_each_key(keys: list[str]) -> None:
    from aimm_nlp.text.translit._ngram_np import _hash, hash_many

    assert hash_many(keys).tolist() == [_hash(k) for k in keys]
