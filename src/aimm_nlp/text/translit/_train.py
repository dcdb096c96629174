"""Train and evaluate Arabizi -> Arabic models from pair files (behind ``aimm translit train/eval``)."""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from aimm_nlp.errors import ConfigError, DataError
from aimm_nlp.langs import ARY_ARAB, ARY_LATN
from aimm_nlp.text.translit._eval import Scores, score
from aimm_nlp.text.translit._joint import train_joint
from aimm_nlp.text.translit._model import save_joint
from aimm_nlp.text.translit._pairs import read_pairs
from aimm_nlp.text.translit._transliterator import Transliterator

__all__ = ["EvalReport", "TrainReport", "evaluate_transliteration", "train_transliterator", "word_pairs"]

_LATN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f0-9]+(?:['’][A-Za-z\u00c0-\u024f0-9]+)*")
_ARAB_WORD = re.compile("[\u0621-\u065f\u0670-\u06d3]+")
_ELONGATION = re.compile(r"(.)\1{2,}")


@dataclass(frozen=True)
class TrainReport:
    """What :func:`train_transliterator` did."""

    out: str
    rows: int
    rows_used: int
    word_pairs: int
    graphones: int
    ngrams: int
    seconds: float


@dataclass(frozen=True)
class EvalReport:
    """Scores of one model on one pair file."""

    model: str
    overall: Scores
    by_source: dict[str, Scores] = field(default_factory=dict)
    seconds: float = 0.0
    mb_per_s: float = 0.0

    def to_dict(self) -> dict:
        """Plain dict for JSON output."""
        return {
            "model": self.model,
            "overall": self.overall.to_dict(),
            "by_source": {k: v.to_dict() for k, v in self.by_source.items()},
            "seconds": round(self.seconds, 3),
            "mb_per_s": round(self.mb_per_s, 3),
        }


def word_pairs(src: str, dst: str) -> list[tuple[str, str]]:
    """Split one sentence pair into word pairs when both sides have the same number of words."""
    latn = [_ELONGATION.sub(r"\1", w) for w in _LATN_WORD.findall(src)]
    arab = _ARAB_WORD.findall(dst)
    return list(zip(latn, arab, strict=True)) if len(latn) == len(arab) else []


def train_transliterator(
    pairs: str | os.PathLike[str],
    *,
    src_col: str,
    dst_col: str,
    out: str | os.PathLike[str],
    order: int = 4,
    iterations: int = 5,
    beam: int = 8,
    delimiter: str | None = None,
    name: str = "joint",
    overwrite: bool = False,
) -> TrainReport:
    """Train a joint-sequence Arabizi -> Arabic model from a pair file and save it to ``out``.

    Args:
        pairs: TSV/CSV file with a header row.
        src_col: column holding Arabizi (Latin script).
        dst_col: column holding Arabic-script Darija.
        out: model folder to write: new or empty, or with ``overwrite`` a model folder this function
            wrote that holds nothing else (checked before the training; built in a hidden sibling and
            moved into place whole, :mod:`aimm_nlp._outdir`).
        order: graphone n-gram order (2-6).
        iterations: EM alignment iterations (1-20).
        beam: decoding beam width stored in the model.
        delimiter: field delimiter (default: tab, or comma for ``.csv``).
        name: model name recorded in the sidecar.
        overwrite: replace an earlier model at ``out``.

    Raises:
        ConfigError: an option is out of range (all problems listed); ``out`` is a file, a folder
            holding other files, or an earlier model without ``overwrite``.
        InputFileError / DataError: unreadable or malformed pair file (file and line named).

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "p.tsv").write_text("latin\\tarabic\\n3lach\\tعلاش\\nbzaf\\tبزاف\\nbghit\\tبغيت\\n", "utf-8")
        >>> train_transliterator(d / "p.tsv", src_col="latin", dst_col="arabic", out=d / "m").word_pairs
        3
    """
    errors = []
    if not 2 <= order <= 6:
        errors.append(f"order={order}: must be between 2 and 6")
    if not 1 <= iterations <= 20:
        errors.append(f"iterations={iterations}: must be between 1 and 20")
    if not 1 <= beam <= 512:
        errors.append(f"beam={beam}: must be between 1 and 512")
    from aimm_nlp._outdir import KINDS, check_output_folder, output_folder

    try:
        check_output_folder(out, KINDS["translit train"], overwrite=overwrite)
    except ConfigError as exc:
        errors.append(str(exc))
    if errors:
        raise ConfigError("invalid training options (nothing was trained):", errors=errors)
    start = time.perf_counter()
    rows = used = 0
    pairs_list: list[tuple[str, str]] = []
    for pair in read_pairs(pairs, src_col=src_col, dst_col=dst_col, delimiter=delimiter):
        rows += 1
        wp = word_pairs(pair.src, pair.dst)
        if wp:
            used += 1
            pairs_list.extend(wp)
    if not pairs_list:
        raise DataError(
            f"{pairs}: no usable pairs: no row has the same number of words in {src_col!r} and {dst_col!r} "
            "(are the columns swapped, or is the Arabic side not in Arabic script?)"
        )
    model, stats = train_joint(pairs_list, order=order, iterations=iterations, beam=beam)
    digest = hashlib.sha256(Path(pairs).read_bytes()).hexdigest()
    meta = {
        "name": name,
        "config": {"order": order, "iterations": iterations, "beam": beam, "max_options": model.max_options},
        "training_data": {
            "file": Path(pairs).name,
            "sha256": digest,
            "src_col": src_col,
            "dst_col": dst_col,
            "rows": rows,
            "rows_used": used,
            "license_note": "a model trained on your data carries that data's license terms",
        },
        "stats": stats,
    }
    with output_folder(out, KINDS["translit train"], overwrite=overwrite) as tmp:
        save_joint(model, tmp, meta)
    return TrainReport(
        str(out),
        rows,
        used,
        int(stats["word_pairs"]),
        int(stats["graphones"]),
        int(stats["ngrams"]),
        round(time.perf_counter() - start, 2),
    )


def evaluate_transliteration(
    pairs: str | os.PathLike[str],
    *,
    src_col: str,
    dst_col: str,
    model: str | os.PathLike[str] | None = None,
    source_col: str | None = None,
    delimiter: str | None = None,
    keep_foreign: bool = False,
    phonetic: bool = False,
) -> EvalReport:
    """Score a model (default: the shipped ranker) on a pair file: CER folded/strict, word-exact.

    ``keep_foreign`` is off by default here because reference Arabic spellings
    transliterate loanwords too; ``phonetic`` scores the shipped rules' phonetic reading.
    """
    rows = list(
        read_pairs(pairs, src_col=src_col, dst_col=dst_col, source_col=source_col, delimiter=delimiter)
    )
    t = Transliterator(src=ARY_LATN, dst=ARY_ARAB, model=model, keep_foreign=keep_foreign, phonetic=phonetic)
    start = time.perf_counter()
    hyps = t.batch(r.src for r in rows)
    seconds = time.perf_counter() - start
    size = sum(len(r.src.encode()) for r in rows) / 1e6
    sources = [r.source for r in rows] if any(r.source for r in rows) else None
    overall, per = score(hyps, [r.dst for r in rows], sources=sources)
    name = (t.model.name if t.model is not None else "?") + (" (phonetic)" if phonetic else "")
    return EvalReport(name, overall, per, seconds, size / seconds if seconds else 0.0)
