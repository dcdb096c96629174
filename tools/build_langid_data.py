"""Build the training table of the shipped langid model from permissive data in ``shared/data``.

Only CC BY / CC BY-SA sources, each labelled by source: ``langid_moroccan`` minus an
in-domain hold-out (15 % of its rows by a salted hash of the row id, fixed), NLLB-Seed
(ary_Arab, eng_Latn, zgh_Tfng, taq_Latn as ber_Latn), AfriSenti Latin-script tweets
(ary_Latn) and Arabic-script tweets that contain a Darija marker word (ary_Arab), and
more Tatoeba Kabyle (ber_Latn). Anything that shares a Seed row, a tweet or a text with
the hold-out stays out. FLORES and DODa are never read here.

A maintainer script, not part of the installed package. Run from the repository root, with
aimm_nlp installed (``pip install -e .``)::

    python tools/build_langid_data.py --shared ../shared --out /tmp/langid_train.tsv
    aimm langid train --data /tmp/langid_train.tsv --source-col source --out DIR

``heldout()`` and ``read_tsv()`` are also what ``benchmarks/bench_langid.py`` uses for its in-domain set.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
from pathlib import Path

from aimm_nlp.text.langid._morph import DARIJA_MARKERS

__all__ = ["DARIJA_MARKERS", "build_training_table", "heldout", "read_tsv"]

HELDOUT_SALT = "aimm-langid-heldout-v1"
HELDOUT_PERCENT = 15
_SEED_COLUMNS = {
    "ary_Arab": "ary_Arab",
    "eng_Latn": "eng_Latn",
    "zgh_Tfng": "zgh_Tfng",
    "taq_Latn": "ber_Latn",
}
_TATOEBA_EXTRA = 6000


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a shared TSV (header, tab-separated, no quoting)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def heldout(row_id: str) -> bool:
    """True for the fixed 15 % in-domain hold-out of ``langid_moroccan`` (by row id)."""
    digest = hashlib.sha256(f"{HELDOUT_SALT}:{row_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELDOUT_PERCENT


def has_darija_marker(text: str) -> bool:
    """True when an Arabic-script text contains a Darija-only function word."""
    return any(w.strip("،.!؟?,") in DARIJA_MARKERS for w in text.split())


def build_training_table(shared: Path, *, unmarked_seed: str = "keep") -> list[tuple[str, str, str]]:
    """Return ``(text, label, source)`` rows for the shipped model (deterministic).

    ``unmarked_seed``: what to do with NLLB-Seed ary_Arab rows without any Darija marker
    word (the Seed card says some stayed "too close to MSA"): ``keep`` them (default since
    the ``charhash.v2`` word-shape features: chosen by 5-fold cross-validation on this
    table), ``drop`` them (the ``charhash.v1`` model), or keep them as a separate
    ``source`` so they weigh like one source.
    """
    data = shared / "data"
    langid = read_tsv(data / "langid_moroccan" / "langid.tsv")
    test = [r for r in langid if heldout(r["id"])]
    banned_text = {r["text"].strip() for r in test}
    banned_ids = {r["source_id"] for r in test}
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()

    def add(text: str, label: str, source: str) -> None:
        text = text.strip()
        if len(text) >= 3 and text not in banned_text and text not in seen:
            seen.add(text)
            out.append((text, label, source))

    def add_seed(text: str, label: str, source: str) -> None:
        if label == "ary_Arab" and not has_darija_marker(text):
            if unmarked_seed == "drop":
                return
            if unmarked_seed == "source":
                source += "-unmarked"
        add(text, label, source)

    for r in langid:
        if not heldout(r["id"]):
            add_seed(r["text"], r["label"], r["source"])
    for r in read_tsv(data / "nllb_seed_moroccan" / "seed_parallel.tsv"):
        if r["id"] not in banned_ids:
            for col, label in _SEED_COLUMNS.items():
                add_seed(r[col], label, f"openlanguagedata/seed:{col}")
    for split in ("train", "dev", "test"):
        for r in read_tsv(data / "afrisenti_ma" / f"{split}.tsv"):
            if r["ID"] in banned_ids:
                continue
            tweet = r["tweet"]
            n_arab = sum("\u0600" <= ch <= "\u06ff" for ch in tweet)
            n_latn = sum(ch.isascii() and ch.isalpha() for ch in tweet)
            if n_latn > n_arab:
                add(tweet, "ary_Latn", "afrisenti-semeval/afrisent-semeval-2023:ma")
            elif has_darija_marker(tweet):
                add(tweet, "ary_Arab", "afrisenti-semeval/afrisent-semeval-2023:ma-arab-marked")
    kab = [r["text"] for r in read_tsv(data / "tatoeba_kabyle" / "kab_sentences.tsv")]
    random.Random(20241128).shuffle(kab)
    for text in kab[:_TATOEBA_EXTRA]:
        add(text, "ber_Latn", "MohammedBelkacem/CorpusTatoeba:kab")
    return out


def main(argv: list[str] | None = None) -> int:
    from aimm_nlp._io import atomic_output

    ap = argparse.ArgumentParser(description="Write the training table of the shipped langid model.")
    ap.add_argument("--shared", type=Path, required=True, help="the shared/ folder (holds data/)")
    ap.add_argument("--out", required=True, help="output TSV (columns text, label, source)")
    ap.add_argument("--unmarked-seed", choices=["drop", "keep", "source"], default="keep")
    args = ap.parse_args(argv)
    rows = build_training_table(args.shared, unmarked_seed=args.unmarked_seed)
    with atomic_output(args.out) as fh:
        fh.write("text\tlabel\tsource\n")
        for text, label, source in rows:
            fh.write(f"{' '.join(text.split())}\t{label}\t{source}\n")
    print(f"{len(rows)} rows -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
