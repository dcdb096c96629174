"""Run a whole corpus build from a :class:`CorpusConfig`: load, clean, save, describe.

This is what ``aimm corpus build CONFIG.yaml`` calls; notebooks can call it too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimm_nlp.corpus.config import CorpusConfig
from aimm_nlp.langs import ARY_ARAB, ARY_LATN

__all__ = ["BuildResult", "build_corpus"]


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: the saved corpus, its cleaning report, and the stats files."""

    saved: Any
    report: Any
    stats_files: tuple[Path, ...] = ()


def add_arabic_script(batch: dict[str, list[Any]], transliterate: Any) -> dict[str, list[Any]]:
    """``map`` function: ``text_ary_Arab`` = Arabic-script transliteration of ``ary_Latn`` rows, else None."""
    out = [
        transliterate(t, src=ARY_LATN, dst=ARY_ARAB) if lang == ARY_LATN else None
        for t, lang in zip(batch["text"], batch["lang"], strict=True)
    ]
    return {f"text_{ARY_ARAB}": out}


def build_corpus(cfg: CorpusConfig) -> BuildResult:
    """Load every source, clean, write parquet shards + manifest, and describe the result.

    Shards, manifest and ``stats/`` are all written in a hidden sibling of ``output.dir`` that is
    swapped in only when complete (:mod:`aimm_nlp._outdir`): a build that fails or is killed, even
    while describing, leaves an earlier corpus and its stats as they were.
    """
    import datasets

    from aimm_nlp._outdir import KINDS, check_output_folder, output_folder
    from aimm_nlp.corpus.cleaning import clean
    from aimm_nlp.corpus.distributed import rank_and_world_size, shard_for_rank
    from aimm_nlp.corpus.io import write_corpus
    from aimm_nlp.corpus.load import corpus_files, load_corpus
    from aimm_nlp.corpus.stats import describe

    out_dir = Path(cfg.output.dir)
    if cfg.distributed:
        rank, world = rank_and_world_size()
        out_dir = out_dir / f"rank-{rank:05d}-of-{world:05d}"
    # before any loading or cleaning: a refused output must not cost the user a whole build
    kind = KINDS["corpus build"]
    check_output_folder(out_dir, kind, overwrite=cfg.output.overwrite)
    if cfg.progress:
        datasets.enable_progress_bars()
    else:
        datasets.disable_progress_bars()
    if cfg.clean.transliterate_arabizi:
        from aimm_nlp.text import transliterate as translit
    else:
        translit = None
    parts, inputs = [], []
    for src in cfg.sources:
        source = src.name if src.name is not None else src.path
        kwargs = {"split": src.split, "data_dir": cfg.data_dir}
        inputs += corpus_files(source, **kwargs)
        opts = {"text_column": src.text_column, "lang": src.lang, "on_error": cfg.on_error}
        parts.append(load_corpus(source, **kwargs, **opts, streaming=cfg.streaming))
    if cfg.on_error == "skip":  # a source without malformed lines still needs the column to concatenate
        parts = [p if "error" in (p.column_names or []) else _with_error(p) for p in parts]
    ds = parts[0] if len(parts) == 1 else datasets.concatenate_datasets(parts)
    if cfg.distributed:
        ds = shard_for_rank(ds, rank=rank, world_size=world)
    options = {k: v for k, v in dataclasses.asdict(cfg.clean).items() if k != "transliterate_arabizi"}
    cleaned, report = clean(ds, **options)
    if translit is not None:
        cleaned = cleaned.map(add_arabic_script, batched=True, fn_kwargs={"transliterate": translit})
    files: tuple[Path, ...] = ()
    with output_folder(out_dir, kind, overwrite=cfg.output.overwrite) as tmp:
        saved = write_corpus(
            cleaned, tmp, name=str(out_dir), report=report, config=dataclasses.asdict(cfg), inputs=inputs,
            shard_rows=cfg.output.shard_rows, progress=cfg.progress, metadata={"licenses": _licenses(cfg)},
        )  # fmt: skip
        if cfg.output.describe:
            stats = describe(load_corpus(tmp, streaming=True))
            files = tuple(out_dir / p.relative_to(tmp) for p in stats.save(tmp / "stats"))
    saved = dataclasses.replace(saved, path=out_dir)
    return BuildResult(saved=saved, report=report, stats_files=files)


def _licenses(cfg: CorpusConfig) -> list[dict[str, Any]]:
    from aimm_nlp.corpus.catalog import corpus_info

    out = []
    for src in cfg.sources:
        if src.name is None:
            out.append({"source": src.path, "license": "unknown (your own files)"})
            continue
        info = corpus_info(src.name)
        keys = ("license", "citation", "url", "non_commercial", "evaluation_only")
        out.append({"source": src.name, **{k: getattr(info, k) for k in keys}})
    return out


def _with_error(ds: Any) -> Any:
    from datasets import Value

    features = ds.features.copy()
    features["error"] = Value("string")
    return ds.map(lambda b: {"error": [None] * len(b["text"])}, batched=True, features=features)
