"""Build the training table of the shipped langid model from permissive data in ``shared/data``.

Only CC BY / CC BY-SA sources, each labelled by source: ``langid_moroccan`` minus an
in-domain hold-out (15 % of its rows by a salted hash of the row id, fixed), NLLB-Seed
(ary_Arab, eng_Latn, zgh_Tfng, taq_Latn as ber_Latn), AfriSenti Latin-script tweets
(ary_Latn) and Arabic-script tweets that contain a Darija marker word (ary_Arab), and
more Tatoeba Kabyle (ber_Latn). Anything that shares a Seed row, a tweet or a text with
the hold-out stays out. FLORES and DODa are never read here.

Since issue 19 (social-style Arabic script, both varieties): Arabic-script AfriSenti and QCRI
tweets pseudo-labelled by a written rule (:func:`tweet_label`: Darija marker words and Darija verb
shapes vs MSA function words; tweets with no evidence either way stay out), and short texts the
project wrote itself (``tools/data/langid_written_{arb,ary}.txt``, Apache-2.0). ``--exclude FILE``
(repeatable; a TSV with a ``text`` column, e.g. the dev set ``tests/data/langid_dev/dev.tsv``)
drops every training row whose cleaned text (as the model sees it) equals one of its texts.
``--wordfreq-rows N`` adds N MSA pseudo-sentences drawn from the Arabic word frequencies of the
``wordfreq`` package (CC BY-SA 4.0 data; needed at build time only: ``pip install wordfreq``), words
that Darija training text uses about as often left out (:func:`wordfreq_texts`).
``--translit-tweets`` (used by the shipped model since its ninth round) adds the Latin-script AfriSenti
train/dev tweets rendered in Arabic script by the shipped transliterator (:func:`translit_tweet_texts`);
``--marsum FILE`` and ``--arsarcasm FILE`` add Darija news titles of MArSum and MSA tweets of ArSarcasm-v2
from local copies (tried in the tenth round, not used by the shipped model; see its card);
``--tatoeba-ara FILE`` the Standard Arabic sentences of a Tatoeba English-Arabic pair file (twelfth round);
``--roundtrip-darija`` the table's NLLB-Seed and written Darija again through Arabizi and back (thirteenth round).

A maintainer script, not part of the installed package. Run from the repository root, with
aimm_nlp installed (``pip install -e .``)::

    python tools/build_langid_data.py --shared ../shared --out /tmp/langid_train.tsv \
        --exclude tests/data/langid_dev/dev.tsv --exclude tests/data/langid_dev/unruled.tsv --translit-tweets
    aimm langid train --data /tmp/langid_train.tsv --source-col source --out DIR

(the shipped model's full recipe, source weights and calibration included, is in its ``CARD.md``).

``heldout()`` and ``read_tsv()`` are also what ``benchmarks/bench_langid.py`` uses for its in-domain set.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import random
from pathlib import Path

from aimm_nlp.text.langid._morph import DARIJA_MARKERS

__all__ = [
    "DARIJA_MARKERS",
    "arsarcasm_msa_texts",
    "build_training_table",
    "cleaned",
    "heldout",
    "marsum_titles",
    "read_tsv",
    "roundtrip_texts",
    "tatoeba_ara_texts",
    "translit_tweet_texts",
    "tweet_label",
    "wordfreq_texts",
]

WRITTEN = Path(__file__).resolve().parent / "data"
AFRISENTI = "afrisenti-semeval/afrisent-semeval-2023:ma"
QCRI = "qcri/dialectal_arabic_resources:mgr"
SELF_TWEETS = "moroccan-tweets-self"  # the tweets the rule leaves out, labelled by a stage-1 model
SELF_LABEL_CONFIDENCE = 0.9
RULE_TWEETS = "moroccan-tweets-rule"  # AfriSenti ma + QCRI mgr Arabic-script tweets, labelled by tweet_label
MARSUM = "KamelGaanoun/MoroccanSummarization:titles"  # Darija news titles of MArSum (CC BY 4.0), ary_Arab
ARSARCASM = "iabufarha/ArSarcasm-v2:msa"  # tweets ArSarcasm-v2 labels MSA (MIT), arb_Arab
TATOEBA_ARA = "tatoeba:ara"  # Tatoeba's Standard Arabic sentences (CC BY 2.0 FR), arb_Arab
# Darija rows of the table through Arabizi and back, in the transliterator's spelling
ROUNDTRIP = "roundtrip:ary"
TRANSLIT_TWEETS = "afrisenti-translit:ary"  # Latin-script AfriSenti tweets (train/dev) in Arabic script
WORDFREQ = "wordfreq:ar"  # arb_Arab pseudo-sentences from the wordfreq Arabic word list

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


def cleaned(texts: list[str]) -> list[str]:
    """Each text as the langid model sees it (lowercase, no punctuation/emoji/URL/diacritics, squeezed)."""
    import numpy as np

    from aimm_nlp.text.langid._encode import prepare

    codes, offsets = prepare(texts)
    chars = codes.astype(np.uint32).tobytes().decode("utf-32-le")
    return [" ".join(chars[a : b - 1].split()) for a, b in itertools.pairwise(offsets)]


def _hits(texts: list[str]) -> list[dict[str, int]]:
    """Per text: how many words show each word-shape feature of ``_morph.FEATURES``."""
    from scipy.sparse import csr_matrix

    from aimm_nlp.text.langid._encode import prepare, word_hashes
    from aimm_nlp.text.langid._morph import FEATURES, feature_bucket, morph_matrix

    codes, offsets = prepare(texts)
    starts, hashes, _ = word_hashes(codes, offsets)
    mat = morph_matrix(codes, offsets, starts, hashes, bits=19, scale=1.0, csr_matrix=csr_matrix)
    cols = [feature_bucket(i, 19) for i in range(len(FEATURES))]
    dense = mat[:, cols].toarray()
    return [dict(zip(FEATURES, map(int, row), strict=True)) for row in dense]


#: Word shapes that MSA also writes often enough (``-o`` endings: يدعو, نحو) do not count as evidence.
_DARIJA_SHAPES = ("prog", "fut", "neg", "d_gen", "f_prep")


def tweet_label(hits: dict[str, int], n_words: int) -> str | None:
    """The pseudo-label of an Arabic-script tweet from its word-shape counts (:func:`_hits`).

    ``ary_Arab``: a Darija function word and no MSA function word, or two Darija verb/preposition
    shapes and no MSA function word; ``arb_Arab``: an MSA function word, no Darija word or shape, and 4
    words or more; otherwise ``None`` (no evidence, or evidence both ways: left out).
    """
    darija = hits["dar"] + sum(hits[k] for k in _DARIJA_SHAPES)
    if hits["msa"] == 0 and (hits["dar"] >= 1 or darija >= 2):
        return "ary_Arab"
    if hits["msa"] >= 1 and darija == 0 and n_words >= 4:
        return "arb_Arab"
    return None


def _arabic_tweets(shared: Path, banned_ids: set[str]) -> list[tuple[str, str]]:
    """``(tweet, source)`` of the Arabic-script AfriSenti ``ma`` and QCRI Maghrebi tweets."""
    from collections import defaultdict

    out = []
    for split in ("train", "dev", "test"):
        for r in read_tsv(shared / "data" / "afrisenti_ma" / f"{split}.tsv"):
            if (
                r["ID"] not in banned_ids
                and f"afrisenti_ma:{r['ID']}" not in banned_ids
                and _arabic(r["tweet"])
            ):
                out.append((r["tweet"], AFRISENTI))
    tweets = defaultdict(list)
    for r in read_tsv(shared / "data" / "qcri_dialectal_pos_mgr" / "seg_plus_pos_mgr.tsv"):
        if r["POS"] != "EOS":
            tweets[r["Fold"], r["SubFold"], r["SentID"]].append(r["Word"])
    out += [
        (" ".join(words), QCRI)
        for (_, _, sent), words in tweets.items()
        if f"qcri_dialectal_pos_mgr:sent{sent}" not in banned_ids and _arabic(" ".join(words))
    ]
    return out


def _unless_labelled(texts: list[str], label: str) -> list[str]:
    """``texts`` less those :func:`tweet_label` gives ``label`` (the other variety's rule as a filter)."""
    labels = [tweet_label(h, len(t.split())) for t, h in zip(texts, _hits(texts), strict=True)]
    return [t for t, got in zip(texts, labels, strict=True) if got != label]


def _mostly_arabic(words: list[str], max_foreign: float) -> bool:
    """At least 3 words with letters, and at most ``max_foreign`` of them holding a Latin letter."""
    letters = [w for w in words if any(ch.isalpha() for ch in w)]
    latin = sum(any(ch.isascii() and ch.isalpha() for ch in w) for w in letters)
    return len(letters) >= 3 and latin <= max_foreign * len(letters)


def translit_tweet_texts(tweets: list[str], *, max_foreign: float = 0.25) -> list[str]:
    """Latin-script (Arabizi) tweets rewritten in Arabic script by the shipped transliterator.

    Real conversational Darija, as Arabic-script typers of Arabizi habits write it. A tweet stays out
    when more than ``max_foreign`` of its words stay in Latin script (French/English kept verbatim:
    a French tweet), when :func:`tweet_label` calls the result MSA, or when it has under 3 words.
    ``@user``, URLs and hashtags do not count as words. Fixed in advance, not tuned.
    """
    import re

    from aimm_nlp.text import transliterate_batch

    out = [
        text
        for text in transliterate_batch(tweets, src="ary_Latn", dst="ary_Arab")
        if _mostly_arabic([w for w in text.split() if not re.match(r"(@|#|https?:)", w)], max_foreign)
    ]
    return _unless_labelled(out, "arb_Arab")


def roundtrip_texts(texts: list[str], *, max_foreign: float = 0.25) -> list[str]:
    """Arabic-script Darija written out in Arabizi and read back by the shipped transliterator
    (``ary_Arab -> ary_Latn -> ary_Arab``): the same sentence in the spelling an Arabizi typer gives it in
    Arabic script (``ث``/``ذ``/``ض`` as ``ت``/``د``/``د``, ``إلى`` as ``إلا``, long vowels written out). One
    output per input, ``""`` where it stays out: no letter or digit changed by the round trip, more than ``max_foreign`` of its
    words left in Latin script, or under 3 words (fixed in advance, not tuned)."""
    from aimm_nlp.text import transliterate_batch

    latin = transliterate_batch(list(texts), src="ary_Arab", dst="ary_Latn")
    out = []
    for text, back in zip(texts, transliterate_batch(latin, src="ary_Latn", dst="ary_Arab"), strict=True):
        back = " ".join(back.split())
        # changed beyond punctuation (a letter or digit), and still Arabic script
        changed = [ch for ch in back if ch.isalnum()] != [ch for ch in text if ch.isalnum()]
        out.append(back if changed and _mostly_arabic(back.split(), max_foreign) else "")
    return out


def marsum_titles(path: Path) -> list[str]:
    """The titles (``summary`` column) of a MArSum file: Darija news headlines (its README: "All the titles are
    written in Darija"; the articles mix in MSA and are not used). ``path``: ``MArSum1_test.txt`` (or the
    train file unpacked) of github.com/KamelGaanoun/MoroccanSummarization, CC BY 4.0."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=" ", quotechar='"'))
    if not rows or rows[0] != ["text", "summary"]:
        raise SystemExit(f"{path}: line 1 must be the MArSum header 'text summary'")
    return [" ".join(r[1].split()) for r in rows[1:] if len(r) == 2 and len(r[1].split()) >= 3]


def arsarcasm_msa_texts(paths: list[Path]) -> list[str]:
    """Tweets of ArSarcasm-v2 (github.com/iabufarha/ArSarcasm-v2, MIT) whose ``dialect`` is ``msa``: real
    social-media MSA, which the table otherwise only has from the rule-labelled Moroccan tweets. Out: under 3
    words, or a tweet :func:`tweet_label` calls Darija (fixed in advance, not tuned)."""
    texts = []
    for path in paths:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        if rows and not {"tweet", "dialect"} <= rows[0].keys():
            raise SystemExit(f"{path}: needs the ArSarcasm-v2 columns tweet and dialect")
        texts += [" ".join(r["tweet"].split()) for r in rows if r["dialect"] == "msa"]
    return _unless_labelled([t for t in texts if len(t.split()) >= 3], "ary_Arab")


def tatoeba_ara_texts(path: Path) -> list[str]:
    """The Arabic side of a Tatoeba English-Arabic pair file in the manythings.org format (``English<TAB>Arabic
    <TAB>CC-BY 2.0 (France) Attribution: tatoeba.org #... (user) & #... (user)``, e.g. ``ara.txt`` of
    manythings.org/anki): short conversational Standard Arabic (Tatoeba's ``ara``), which the table otherwise
    lacks. Every line must carry its CC BY attribution (else the file is refused, naming the line). Out: under 3
    words, or a sentence :func:`tweet_label` calls Darija (fixed in advance, not tuned); duplicates once."""
    texts = []
    with open(path, encoding="utf-8", newline="") as fh:
        for n, line in enumerate(fh, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3 or not fields[2].startswith("CC-BY"):
                raise SystemExit(
                    f"{path}:{n}: expected 3 tab-separated fields (English, Arabic, CC-BY attribution) as in "
                    "manythings.org's Tatoeba files"
                )
            texts.append(" ".join(fields[1].split()))
    return _unless_labelled(
        [t for t in dict.fromkeys(texts) if len(t.split()) >= 3 and _arabic(t)], "ary_Arab"
    )


def wordfreq_texts(darija: list[str], n: int, *, top: int = 20_000, ratio: float = 0.5) -> list[str]:
    """``n`` MSA pseudo-sentences (3-10 words) drawn from the ``wordfreq`` Arabic word list.

    ``wordfreq`` (CC BY-SA 4.0 data, build time only) gives the frequency of the ``top`` most frequent
    Arabic words of its mix of Wikipedia, subtitles, news and web text: mostly MSA. A word is kept
    when its share of the words of the ``darija`` texts is below ``ratio`` times its ``wordfreq``
    frequency (words Darija uses as much, such as في, من, الله, drop out); words are drawn in
    proportion to their frequency (fixed seed), so the rows give word-level MSA evidence, not syntax.
    """
    from collections import Counter

    import numpy as np
    import wordfreq

    counts = Counter(w for t in cleaned(darija) for w in t.split())
    total = max(sum(counts.values()), 1)
    arabic = (
        (w, f)
        for w, f in wordfreq.get_frequency_dict("ar").items()
        if len(w) >= 2 and all("\u0621" <= ch <= "\u064a" for ch in w)
    )
    kept = [(w, f) for w, f in itertools.islice(arabic, top) if counts[w] / total < ratio * f]
    words, freqs = zip(*kept, strict=True)
    p = np.asarray(freqs) / np.sum(freqs)
    rng = np.random.default_rng(20261207)
    return [" ".join(rng.choice(words, size=rng.integers(3, 11), p=p)) for _ in range(n)]


def _arabic(text: str) -> bool:
    return sum("\u0600" <= ch <= "\u06ff" for ch in text) >= sum(ch.isascii() and ch.isalpha() for ch in text)


def build_training_table(
    shared: Path,
    *,
    unmarked_seed: str = "keep",
    exclude: list[str] = (),
    exclude_ids: set[str] = frozenset(),
    tweets: str = "rule",
    self_label: str | Path | None = None,
    wordfreq_rows: int = 0,
    translit_tweets: bool = False,
    marsum: Path | None = None,
    arsarcasm: list[Path] = (),
    tatoeba_ara: Path | None = None,
    roundtrip_darija: bool = False,
) -> list[tuple[str, str, str]]:
    """Return ``(text, label, source)`` rows for the shipped model (deterministic).

    ``unmarked_seed``: what to do with NLLB-Seed ary_Arab rows without any Darija marker
    word (the Seed card says some stayed "too close to MSA"): ``keep`` them (default since
    the ``charhash.v2`` word-shape features: chosen by 5-fold cross-validation on this
    table), ``drop`` them (the ``charhash.v1`` model), or keep them as a separate
    ``source`` so they weigh like one source. ``exclude``: texts (e.g. the dev set) no training row
    may equal once cleaned; ``exclude_ids``: dev-set ids (``afrisenti_ma:<ID>``,
    ``qcri_dialectal_pos_mgr:sent<SentID>``) whose tweets stay out whatever their text. ``tweets``: ``rule`` (Arabic-script tweets labelled by :func:`tweet_label`,
    both classes, since issue 19) or ``marked`` (only AfriSenti tweets with a Darija marker, as
    before); written texts are added in both cases. ``self_label``: a model folder (the stage-1
    model: this table without ``self_label``, trained and calibrated on the dev set); the tweets the
    rule leaves out get its label where its calibrated dialectness is above 0.9 or below 0.1 (fixed
    in advance, not tuned), as sources ``moroccan-tweets-self:ary`` / ``:arb``. ``wordfreq_rows``:
    add that many ``arb_Arab`` pseudo-sentences drawn from the ``wordfreq`` Arabic list
    (:func:`wordfreq_texts`, source ``wordfreq:ar``). ``translit_tweets``: add the Latin-script
    AfriSenti tweets of its train and dev splits, rewritten in Arabic script
    (:func:`translit_tweet_texts`), as ``ary_Arab`` (source ``afrisenti-translit:ary``); the test
    split's are the dev set's ``afrisenti_translit`` part and never used. ``marsum``: a MArSum file whose
    Darija titles are added as ``ary_Arab`` (:func:`marsum_titles`); ``arsarcasm``: ArSarcasm-v2 CSV files
    whose MSA tweets are added as ``arb_Arab`` (:func:`arsarcasm_msa_texts`); ``tatoeba_ara``: a Tatoeba
    English-Arabic pair file whose Arabic sentences are added as ``arb_Arab`` (:func:`tatoeba_ara_texts`). All
    are local copies the user fetched (this script never downloads). ``roundtrip_darija``: add every NLLB-Seed
    and project-written Darija row of the table again in the transliterator's Arabizi-typer spelling
    (:func:`roundtrip_texts`), as ``ary_Arab`` (source ``roundtrip:ary``).
    """
    data = shared / "data"
    langid = read_tsv(data / "langid_moroccan" / "langid.tsv")
    test = [r for r in langid if heldout(r["id"])]
    banned_text = {r["text"].strip() for r in test}
    banned_ids = {r["source_id"] for r in test}
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    banned_clean = set(cleaned(list(exclude))) - {""}

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
    arabizi = []
    for split in ("train", "dev", "test"):
        for r in read_tsv(data / "afrisenti_ma" / f"{split}.tsv"):
            if r["ID"] in banned_ids or f"afrisenti_ma:{r['ID']}" in exclude_ids:
                continue
            tweet = r["tweet"]
            n_arab = sum("\u0600" <= ch <= "\u06ff" for ch in tweet)
            n_latn = sum(ch.isascii() and ch.isalpha() for ch in tweet)
            if n_latn > n_arab:
                add(tweet, "ary_Latn", AFRISENTI)
                if split != "test":
                    arabizi.append(tweet)
            elif tweets == "marked" and has_darija_marker(tweet):
                add(tweet, "ary_Arab", AFRISENTI + "-arab-marked")
    if tweets == "rule":
        arabic = _arabic_tweets(shared, banned_ids | set(exclude_ids))
        left = []
        for (tweet, _source), hits in zip(arabic, _hits([t for t, _ in arabic]), strict=True):
            label = tweet_label(hits, len(tweet.split()))
            if label:
                add(tweet, label, f"{RULE_TWEETS}:{label[:3]}")  # one source per label: QCRI alone is tiny
            elif len(tweet.split()) >= 3:
                left.append(tweet)
    if tweets == "rule" and self_label is not None:
        from aimm_nlp.text.langid import dialectness_batch

        for tweet, d in zip(left, dialectness_batch(left, model=self_label), strict=True):
            if d > SELF_LABEL_CONFIDENCE or d < 1 - SELF_LABEL_CONFIDENCE:
                label = "ary_Arab" if d > 0.5 else "arb_Arab"
                add(tweet, label, f"{SELF_TWEETS}:{label[:3]}")
    if translit_tweets:
        for text in translit_tweet_texts(arabizi):
            add(text, "ary_Arab", TRANSLIT_TWEETS)
    if marsum is not None:
        for text in marsum_titles(marsum):
            add(text, "ary_Arab", MARSUM)
    if arsarcasm:
        for text in arsarcasm_msa_texts(list(arsarcasm)):
            add(text, "arb_Arab", ARSARCASM)
    if tatoeba_ara is not None:
        for text in tatoeba_ara_texts(tatoeba_ara):
            add(text, "arb_Arab", TATOEBA_ARA)
    for label in ("arb_Arab", "ary_Arab"):
        for line in (WRITTEN / f"langid_written_{label[:3]}.txt").read_text("utf-8").splitlines():
            add(line, label, f"written:{label[:3]}")
    if roundtrip_darija:
        darija = [
            t for t, label, source in out if source in ("openlanguagedata/seed:ary_Arab", "written:ary")
        ]
        for text in roundtrip_texts(darija):
            if text:
                add(text, "ary_Arab", ROUNDTRIP)
    if wordfreq_rows:
        ary = [t for t, label, _ in out if label == "ary_Arab"]
        for text in wordfreq_texts(ary, wordfreq_rows):
            add(text, "arb_Arab", WORDFREQ)
    kab = [r["text"] for r in read_tsv(data / "tatoeba_kabyle" / "kab_sentences.tsv")]
    random.Random(20241128).shuffle(kab)
    for text in kab[:_TATOEBA_EXTRA]:
        add(text, "ber_Latn", "MohammedBelkacem/CorpusTatoeba:kab")
    if banned_clean:
        out = [
            row for row, c in zip(out, cleaned([t for t, _, _ in out]), strict=True) if c not in banned_clean
        ]
    return out


def main(argv: list[str] | None = None) -> int:
    from aimm_nlp._io import atomic_output

    ap = argparse.ArgumentParser(description="Write the training table of the shipped langid model.")
    ap.add_argument("--shared", type=Path, required=True, help="the shared/ folder (holds data/)")
    ap.add_argument("--out", required=True, help="output TSV (columns text, label, source)")
    ap.add_argument("--unmarked-seed", choices=["drop", "keep", "source"], default="keep")
    ap.add_argument("--tweets", choices=["rule", "marked"], default="rule", help="Arabic-script tweets")
    ap.add_argument(
        "--self-label-model",
        type=Path,
        help="stage-1 model folder: also add the tweets the rule leaves out that it labels with confidence >= 0.9",
    )
    ap.add_argument(
        "--exclude",
        action="append",
        default=[],
        type=Path,
        help="TSV with a `text` (and `id`) column, e.g. the dev set: rows equal to one of its texts, and the "
        "tweets it names by id, stay out",
    )
    ap.add_argument(
        "--wordfreq-rows",
        type=int,
        default=0,
        help="add this many MSA pseudo-sentences drawn from the wordfreq Arabic list (0: none)",
    )
    ap.add_argument(
        "--translit-tweets",
        action="store_true",
        help="add the train/dev Latin-script AfriSenti tweets rewritten in Arabic script as ary_Arab",
    )
    ap.add_argument(
        "--marsum",
        type=Path,
        help="a MArSum file (MArSum1_test.txt of github.com/KamelGaanoun/MoroccanSummarization, CC BY 4.0): "
        "its Darija titles are added as ary_Arab",
    )
    ap.add_argument(
        "--arsarcasm",
        type=Path,
        action="append",
        default=[],
        help="an ArSarcasm-v2 CSV (github.com/iabufarha/ArSarcasm-v2, MIT; repeatable): its MSA tweets are "
        "added as arb_Arab",
    )
    ap.add_argument(
        "--tatoeba-ara",
        type=Path,
        help="a Tatoeba English-Arabic pair file in manythings.org's format (English, Arabic, CC-BY 2.0 FR "
        "attribution; e.g. manythings.org/anki's ara.txt): its Standard Arabic sentences are added as arb_Arab",
    )
    ap.add_argument(
        "--roundtrip-darija",
        action="store_true",
        help="add the NLLB-Seed and written Darija rows again, through Arabizi and back (ary_Arab)",
    )
    args = ap.parse_args(argv)
    excluded = [r for path in args.exclude for r in read_tsv(path)]
    rows = build_training_table(
        args.shared,
        unmarked_seed=args.unmarked_seed,
        exclude=[r["text"] for r in excluded],
        exclude_ids={r["id"] for r in excluded if "id" in r},
        tweets=args.tweets,
        self_label=args.self_label_model,
        wordfreq_rows=args.wordfreq_rows,
        translit_tweets=args.translit_tweets,
        marsum=args.marsum,
        arsarcasm=args.arsarcasm,
        tatoeba_ara=args.tatoeba_ara,
        roundtrip_darija=args.roundtrip_darija,
    )
    with atomic_output(args.out) as fh:
        fh.write("text\tlabel\tsource\n")
        for text, label, source in rows:
            fh.write(f"{' '.join(text.split())}\t{label}\t{source}\n")
    print(f"{len(rows)} rows -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
