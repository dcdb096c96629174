"""Rebuild the shipped Arabizi ranker (``models/translit_ary``) from permissively licensed text.

A maintainer script, not part of the installed package. Run from the repository root, with
aimm_nlp installed (``pip install -e .``) and the shared data next to the checkout::

    python tools/build_translit_model.py --shared ../shared --out src/aimm_nlp/text/models/translit_ary

Sources (nothing else is read; DODa, which is CC BY-NC, never is):

* NLLB-Seed ``ary_Arab`` (CC BY-SA 4.0) and the Arabic-script AfriSenti ``ma`` tweets
  (CC BY 4.0): character 5-gram model and word list of Arabic-script Darija.
* UD French-GSD (CC BY-SA 4.0) and NLLB-Seed ``eng_Latn`` (CC BY-SA 4.0) against the
  Latin-script AfriSenti tweets (CC BY 4.0): two character 4-gram models whose
  per-character log-likelihood ratio is one piece of the keep-foreign evidence.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

from aimm_nlp import __version__
from aimm_nlp.text.translit._compact import BLOB_SUFFIX, to_blob
from aimm_nlp.text.translit._ngram import tables_to_json, train_ngram

__all__ = ["build_default", "main"]

ARAB_WORD = re.compile("[\u0621-\u063a\u0641-\u064a\u0671-\u06d3]+")
LATN_WORD = re.compile("[a-z\u00e0-\u00ff\u0153]+(?:'[a-z\u00e0-\u00ff]+)?")
ARABIZI_WORD = re.compile("[a-z0-9]*[a-z][a-z0-9]*")
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")
FORMAT_VERSION = 1


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _arab_words(texts: list[str]) -> Counter:
    words: Counter = Counter()
    for t in texts:
        words.update(ARAB_WORD.findall(_DIACRITICS.sub("", t)))
    return words


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def build_default(shared: Path, out: Path) -> dict:
    """Build ``ranker.json.gz``, ``foreign.json.gz`` (with their ``.blob.gz`` forms) and ``model.json`` in
    ``out``; return the sidecar."""
    seed = shared / "data/nllb_seed_moroccan/seed_parallel.tsv"
    senti = [shared / f"data/afrisenti_ma/{s}.tsv" for s in ("train", "dev", "test")]
    french = shared / "data/ud_french_gsd/sentences.tsv"
    seed_rows = _read_tsv(seed)
    tweets = [r["tweet"] for p in senti for r in _read_tsv(p)]
    arab_tweets = [t for t in tweets if len(ARAB_WORD.findall(t)) > len(ARABIZI_WORD.findall(t.lower()))]
    latn_tweets = [t for t in tweets if t not in set(arab_tweets)]
    words = _arab_words([r["ary_Arab"] for r in seed_rows] + arab_tweets)
    char_lm = train_ngram(((w, float(c)) for w, c in words.items()), order=5, min_count=2)
    vocab = {w: round(min(1.0, 0.4 + 0.15 * math.log(c)), 3) for w, c in words.items() if c >= 2}

    foreign_words: Counter = Counter()
    for r in _read_tsv(french):
        foreign_words.update(LATN_WORD.findall(r["text"].lower()))
    for r in seed_rows:
        foreign_words.update(LATN_WORD.findall(r["eng_Latn"].lower()))
    arabizi_words: Counter = Counter()
    for t in latn_tweets:
        arabizi_words.update(w for w in ARABIZI_WORD.findall(t.lower()) if not w.startswith("hhh"))
    # Types, not tokens: the detector judges spellings, and frequent function words are in the lexicons.
    fra = train_ngram(((w, 1.0) for w in foreign_words), order=4, min_count=2)
    ary = train_ngram(((w, 1.0) for w in arabizi_words), order=4, min_count=2)

    out.mkdir(parents=True, exist_ok=True)
    # Two data files: the keep-foreign models alone are what the phonetic reading needs (~54k keys of ~300k).
    files = {
        "ranker.json.gz": {"char_lm": tables_to_json(char_lm), "vocab": vocab},
        "foreign.json.gz": {"foreign_lm": tables_to_json(fra), "arabizi_lm": tables_to_json(ary)},
    }
    for name, payload in list(files.items()):
        raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        (out / name).write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
        # the same data as the reader's flat binary form (decoding the JSON costs 0.15-0.4 s a new process)
        blob = name.replace("json.gz", BLOB_SUFFIX)
        (out / blob).write_bytes(gzip.compress(to_blob(json.loads(raw)), compresslevel=9, mtime=0))
        files[blob] = None
    sidecar = {
        "format_version": FORMAT_VERSION,
        "kind": "rule_ranker",
        "name": "translit_ary.v1",
        "package_version": __version__,
        "files": {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in files},
        "config": {
            "char_lm_order": 5,
            "min_count": 2,
            "foreign_lm_order": 4,
            "rules": "arabizi.v1",
            # Set by hand after a small sweep on the DODa *train* split (evaluation use only; no
            # DODa text is in this artifact): a light LM weight keeps Darija's written long vowels.
            "lm_weight": 0.2,
            "vocab_bonus": 3.0,
            "beam": 12,
        },
        "sources": {
            "nllb_seed_ary_Arab": {
                "license": "CC-BY-SA-4.0",
                "sha256_16": _sha(seed),
                "rows": len(seed_rows),
            },
            "afrisenti_ma_arabic_tweets": {"license": "CC-BY-4.0", "rows": len(arab_tweets)},
            "afrisenti_ma_latin_tweets": {"license": "CC-BY-4.0", "rows": len(latn_tweets)},
            "ud_french_gsd": {"license": "CC-BY-SA-4.0", "sha256_16": _sha(french)},
            "nllb_seed_eng_Latn": {"license": "CC-BY-SA-4.0"},
        },
        "stats": {
            "arabic_word_types": len(words),
            "arabic_word_tokens": sum(words.values()),
            "vocab_size": len(vocab),
            "char_lm_ngrams": len(char_lm.logp),
            "foreign_word_types": len(foreign_words),
            "arabizi_word_types": len(arabizi_words),
        },
        "command": "python tools/build_translit_model.py --shared ../shared "
        "--out src/aimm_nlp/text/models/translit_ary",
    }
    (out / "model.json").write_text(json.dumps(sidecar, indent=1, ensure_ascii=False) + "\n", "utf-8")
    return sidecar


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python tools/build_translit_model.py")
    parser.add_argument("--shared", type=Path, required=True, help="the ../shared folder")
    parser.add_argument("--out", type=Path, required=True, help="output model folder")
    args = parser.parse_args(argv)
    sidecar = build_default(args.shared, args.out)
    json.dump(sidecar["stats"], sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
