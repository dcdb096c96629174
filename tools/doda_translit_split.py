"""Write the DODa split that the README's table of trained-model CER is measured on (issue 21).

A maintainer script, not part of the installed package (DODa is CC BY-NC: a local evaluation use;
nothing of it is stored in the repository). Run from the repository root::

    python tools/doda_translit_split.py --shared ../shared --out /tmp/doda_split

15 % of the rows of both DODa files are held out by target text (``heldout_side(arabic, 0.15,
"lead-check")``: every spelling of a word, every copy of a sentence on one side); training sentences
that hold a held-out word (folded Arabic) are dropped, so the held-out words are unseen. Rows with an
empty side are skipped. It writes ``test_words.tsv``, ``test_sents.tsv``, ``train_words.tsv`` (the
README command's file) and ``train_both.tsv`` (word list, then sentences), each ``latin arabic
source``: the word list's ``source_file`` as its source, or with ``--one-source-per-file`` ``words``
and ``sentences``. Then, for example::

    aimm translit train --pairs /tmp/doda_split/train_both.tsv --src-col latin --dst-col arabic --out m
    aimm translit eval --pairs /tmp/doda_split/test_words.tsv --src-col latin --dst-col arabic --model m
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from aimm_nlp.text.translit._backoff import heldout_side
from aimm_nlp.text.translit._eval import fold

SHARE = 0.15
SALT = "lead-check"


def _rows(path: Path, latin: str, arabic: str) -> list[tuple[str, str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        rows = [(r[latin].strip(), r[arabic].strip(), r["source_file"]) for r in reader]
    return [r for r in rows if r[0] and r[1]]


def _held(arabic: str) -> bool:
    return heldout_side(arabic, SHARE, SALT)  # the salt is a string: any value formats into the hash


def _write(path: Path, rows: list[tuple[str, str, str]]) -> None:
    path.write_text("latin\tarabic\tsource\n" + "".join(f"{a}\t{b}\t{s}\n" for a, b, s in rows), "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--one-source-per-file", action="store_true", help="sources 'words' and 'sentences'")
    a = ap.parse_args()
    doda = a.shared / "data" / "doda"
    words = _rows(doda / "words_translit.tsv", "latin", "arabic")
    sents = _rows(doda / "sentences.tsv", "darija_latin", "darija_arabic")
    if a.one_source_per_file:
        words = [(x, y, "words") for x, y, _ in words]
    sents = [(x, y, "sentences") for x, y, _ in sents]
    held = [r for r in words if _held(r[1])]
    unseen = {w for _, ar, _ in held for w in fold(ar, keep_spaces=True).split()}
    train_words = [r for r in words if not _held(r[1])]
    train_sents = [
        r for r in sents if not _held(r[1]) and not set(fold(r[1], keep_spaces=True).split()) & unseen
    ]
    a.out.mkdir(parents=True, exist_ok=True)
    _write(a.out / "test_words.tsv", held)
    _write(a.out / "test_sents.tsv", [r for r in sents if _held(r[1])])
    _write(a.out / "train_words.tsv", train_words)
    _write(a.out / "train_both.tsv", train_words + train_sents)
    print(
        f"held out: {len(held)} word rows; training: {len(train_words)} word rows, {len(train_sents)} sentences"
    )


if __name__ == "__main__":
    main()
