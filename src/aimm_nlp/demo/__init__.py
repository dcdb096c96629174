"""``aimm demo``: the whole toolkit end to end in a few minutes on a laptop.

corpus (load, clean, describe) -> tokenizer (train, fairness next to a reference LLM tokenizer)
-> fine-tune a tiny classifier and a tiny causal LM from scratch -> evaluate them and simple
baselines on the ``morocco-mini`` suite (``morocco`` with ``data=``) -> one self-contained HTML report
(``report/leaderboard.html``: leaderboard, per-language views, task and run details, what the scores show).

Every step writes a normal library artifact (corpus folder, tokenizer folder, run folders,
results JSON) that a user can reuse with the other ``aimm`` commands. ``out`` must be new, empty,
or an earlier demo's folder (marked by ``.aimm_demo.json``) whose corpus, tokenizer and run folders
hold only what aimm wrote; everything is checked before any work starts, and nothing else is replaced.
The steps themselves are in ``aimm_nlp.demo._stages``; this module checks the options and runs them.

Examples:
    >>> from aimm_nlp.demo import run_demo
    >>> result = run_demo(out="aimm_demo")  # doctest: +SKIP
    >>> result.report_html  # doctest: +SKIP
    PosixPath('aimm_demo/report/leaderboard.html')
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimm_nlp._paths import mini_root
from aimm_nlp.demo import _stages
from aimm_nlp.demo._stages import PUBLIC_CORPORA, RUN_NAMES
from aimm_nlp.errors import ConfigError

__all__ = ["DemoResult", "run_demo"]

logger = logging.getLogger(__name__)

DEMO_MARKER = ".aimm_demo.json"  # written into ``out`` before the first step: an earlier demo's folder


@dataclass(frozen=True)
class DemoResult:
    """Where the demo put everything, and how long it took."""

    out_dir: Path
    report_html: Path
    corpus_dir: Path
    tokenizer_dir: Path
    run_dirs: dict[str, Path]
    results: dict[str, Path]
    seconds: float
    leaderboard: str
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _check_options(data: Path | None, vocab_size: Any, limit: Any, max_steps: Any, seed: Any) -> list[str]:
    """Every problem with the options, as messages (empty when all are valid)."""

    def is_int(x: Any) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    errors = []
    if not is_int(seed) or not 0 <= seed <= 2**32 - 1:
        errors.append(f"--seed: must be an integer from 0 to {2**32 - 1}, got {seed!r}")
    if not is_int(vocab_size) or vocab_size < 1:
        errors.append(f"vocab_size: must be a positive integer, got {vocab_size!r}")
    for name, value in (("limit", limit), ("max_steps", max_steps)):
        if value is not None and (not is_int(value) or value < 1):
            errors.append(f"{name}: must be a positive integer or None, got {value!r}")
    if data is not None and not data.is_dir():
        errors.append(
            f"--data {data}: no such folder; pass the folder holding data/ and corpora/ (e.g. ../shared)"
        )
    return errors


def _check_out(out: Path) -> None:
    """Refuse an ``out`` the demo could damage: a file, or a folder holding anything but an earlier demo.

    In an earlier demo's folder, the corpus, tokenizer and run folders the demo replaces must each hold
    only what aimm wrote there (the policy of :mod:`aimm_nlp._outdir`); files of yours next to them
    are kept.
    """
    import dataclasses

    from aimm_nlp._io import file_in_the_way
    from aimm_nlp._outdir import KINDS, check_output_folder

    parent = file_in_the_way(out)
    if parent is not None:
        raise ConfigError(f"--out {out}: cannot be created, {parent} is a file; choose another --out")
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir():
        raise ConfigError(f"--out {out}: is a file, not a folder; it is never replaced. Choose another --out")
    entries = sorted(p.name for p in out.iterdir())
    if not entries:
        return
    try:
        marker = json.loads((out / DEMO_MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        marker = None
    if not isinstance(marker, dict) or marker.get("written_by") != "aimm_nlp.demo":
        shown = ", ".join(entries[:5]) + (f" and {len(entries) - 5} more" if len(entries) > 5 else "")
        raise ConfigError(
            f"--out {out}: holds files ({shown}) and is not a folder an earlier `aimm demo` wrote (no {DEMO_MARKER}); "
            "the demo replaces corpus/, tokenizer/ and runs/ in its folder, so it needs a new or empty one. "
            "Nothing was run; choose another --out"
        )
    parts = [("corpus", "corpus build"), ("tokenizer", "tokenizer")]
    parts += [(f"runs/{name}", "finetune") for name in RUN_NAMES]
    for name, kind in parts:
        kind = dataclasses.replace(KINDS[kind], label="--out: the demo's", option="`aimm demo`")
        check_output_folder(out / name, kind, overwrite=True)


def run_demo(
    *,
    out: str | os.PathLike[str] = "aimm_demo",
    data: str | os.PathLike[str] | None = None,
    vocab_size: int = 2000,
    limit: int | None = 60,
    max_steps: int | None = None,
    seed: int = 0,
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> DemoResult:
    """Run the demo and write everything under ``out``.

    Args:
        out: output folder: new, empty, or an earlier demo's (replaced step by step). A folder
            holding anything else is refused before any work.
        data: folder holding the public sets (the layout of ``$AIMM_SHARED``: ``data/``,
            ``corpora/``); None runs on the embedded ``morocco-mini`` data.
        vocab_size: tokenizer vocabulary size.
        limit: score generation tasks on their first ``limit`` test items only (greedy decoding with an
            untrained tiny LM is the slow part; results go to ``<system>_generation.json``); every other
            task is scored on its whole test split. None scores everything.
        max_steps: cap both fine-tuning runs at this many optimizer steps (quick checks); None
            trains for the configured epochs.
        seed: seed of every training step.
        progress: show a progress bar over the steps.
        log: where step messages go.

    Returns:
        A :class:`DemoResult`; ``report_html`` is the page to open.

    Raises:
        ConfigError: an invalid option, or an ``out`` that is not new, empty or an earlier demo's
            folder (all checked before anything is written).
    """
    start = time.perf_counter()
    out_dir = Path(out)
    data_dir = Path(data) if data is not None else None
    errors = _check_options(data_dir, vocab_size, limit, max_steps, seed)
    if errors:
        raise ConfigError("invalid demo options (nothing was run):", errors=errors)
    mini = mini_root()
    if not mini.is_dir():
        raise ConfigError(f"the morocco-mini data is missing ({mini}); reinstall aimm-nlp")
    if data_dir is not None:
        from aimm_nlp.corpus import corpus_files

        corpus_files(list(PUBLIC_CORPORA), split="train", data_dir=data_dir)  # names a missing file
    _check_out(out_dir)
    from tqdm.auto import tqdm

    from aimm_nlp import __version__
    from aimm_nlp._io import atomic_output

    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_output(out_dir / DEMO_MARKER) as fh:
        json.dump({"written_by": "aimm_nlp.demo", "format_version": 1, "aimm_nlp": __version__}, fh)
        fh.write("\n")
    steps = tqdm(total=5, desc="aimm demo", unit="step", disable=not progress)

    def done(message: str) -> None:
        steps.update(1)
        log(f"[{time.perf_counter() - start:6.1f}s] {message}")

    corpus_dir, ds, corpus_md = _stages.step_corpus(out_dir, mini, data_dir)
    done(f"corpus: {len(ds):,} documents -> {corpus_dir}")
    tok_dir, fairness_md, notes = _stages.step_tokenizer(out_dir, ds, mini, vocab_size)
    done(f"tokenizer: {tok_dir} (fairness in {out_dir / 'tokenizer_fairness'})")
    public = _stages.PUBLIC_CORPORA if data_dir is not None else ()
    run_dirs = _stages.step_finetune(out_dir, tok_dir, mini, list(ds["text"]), seed, max_steps, public)
    done("fine-tuned: " + ", ".join(str(p) for p in run_dirs.values()))
    models: dict[str, Any] = {"tiny_classifier": run_dirs["classifier"], "tiny_causal_lm": run_dirs["causal_lm"],
                              "baseline_majority": "baseline:majority", "baseline_char_ngram": "baseline:char_ngram",
                              "pipelines": None}  # fmt: skip
    results, skipped = _stages.step_evaluate(out_dir, models, data_dir, limit)
    done(f"evaluated {len(models)} systems -> {out_dir / 'results'}")
    suite = "morocco" if data_dir is not None else "morocco-mini"
    sections = {
        "How this was run": (
            f"Suite `{suite}`. Each system runs the task types it can answer (classifiers and baselines: "
            "classification; the causal LM: classification by label scoring, bits per byte and generation; "
            "pipelines: language ID and transliteration), on the whole test split of every task, except "
            f"generation (translation), which is cut to its first {limit} items. Systems that cannot run a task "
            "show n/a with the reason. The classifier is a tiny BERT trained from scratch on the sentiment "
            "training split (the test items are never seen); the causal LM is a tiny Llama trained on the corpus."
        ),
        "Corpus": corpus_md["stats"] + "\n\n" + corpus_md["report"],
        "Tokenizer fairness": fairness_md,
    }
    if notes:
        sections["Notes"] = "\n".join(f"- {n}" for n in notes)
    if skipped:
        rows = "\n".join(f"| {m} | {t} | {why} |" for m, t, why in skipped)
        sections["Skipped tasks"] = "| system | task | why |\n|---|---|---|\n" + rows
    index, leaderboard = _stages.step_report(out_dir, results, sections, run_dirs)
    done(f"report: {index}")
    steps.close()
    return DemoResult(out_dir, index, corpus_dir, tok_dir, run_dirs, results, time.perf_counter() - start,
                      leaderboard, [(t, w) for _, t, w in skipped])  # fmt: skip
