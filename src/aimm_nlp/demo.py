"""``aimm demo``: the whole toolkit end to end in a few minutes on a laptop.

corpus (load, clean, describe) -> tokenizer (train, fairness next to a reference LLM tokenizer)
-> fine-tune a tiny classifier and a tiny causal LM from scratch -> evaluate them and simple
baselines on the ``morocco-mini`` suite (``morocco`` with ``data=``) -> one HTML report.

Every step writes a normal library artifact (corpus folder, tokenizer folder, run folders,
results JSON) that a user can reuse with the other ``aimm`` commands. ``out`` must be new, empty,
or an earlier demo's folder (marked by ``.aimm_demo.json``) whose corpus, tokenizer and run folders
hold only what aimm wrote; everything is checked before any work starts, and nothing else is replaced.

Examples:
    >>> from aimm_nlp.demo import run_demo
    >>> result = run_demo(out="aimm_demo")  # doctest: +SKIP
    >>> result.report_html  # doctest: +SKIP
    PosixPath('aimm_demo/report/index.html')
"""

from __future__ import annotations

import html
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimm_nlp._paths import mini_root, shared_root
from aimm_nlp.errors import ConfigError

__all__ = ["DemoResult", "run_demo"]

logger = logging.getLogger(__name__)

DEMO_MARKER = ".aimm_demo.json"  # written into ``out`` before the first step: an earlier demo's folder
#: what the demo replaces wholesale inside ``out`` (everything else is written file by file)
RUN_NAMES = ("ary_sentiment_tiny", "ary_causal_lm_tiny")
PUBLIC_CORPORA = ("afrisenti_ma", "nllb_seed_moroccan", "langid_moroccan")

#: reference tokenizers looked for under $AIMM_SHARED/tokenizers, first found is used
REFERENCE_TOKENIZERS = {"mistral-7b-v0.1": "mistral-7b-v0.1/tokenizer.model"}


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


def _read_tsv(path: Path) -> list[dict[str, str]]:
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line]


def _write_lines(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


def _corpus_records(mini: Path) -> list[dict[str, str]]:
    """Every text of the mini sets as (text, lang) records, for corpus and tokenizer."""
    from aimm_nlp.text import dominant_script

    records = []
    for row in _read_tsv(mini / "sentiment.tsv"):
        records.append({"text": row["text"], "lang": "ary_Arab" if row["script"] == "Arab" else "ary_Latn"})
    records += [{"text": r["text"], "lang": r["label"]} for r in _read_tsv(mini / "langid.tsv")]
    for row in _read_tsv(mini / "translation.tsv"):
        records += [
            {"text": row["eng_Latn"], "lang": "eng_Latn"},
            {"text": row["ary_Arab"], "lang": "ary_Arab"},
        ]
        if row["zgh_Tfng"]:
            records.append({"text": row["zgh_Tfng"], "lang": "zgh_Tfng"})
    for path in sorted((mini / "text").glob("*.txt")):
        records += [{"text": t, "lang": path.stem} for t in path.read_text("utf-8").splitlines() if t]
    for row in _read_tsv(mini / "translit.tsv"):
        records += [{"text": row["arabizi"], "lang": "ary_Latn"}, {"text": row["arabic"], "lang": "ary_Arab"}]
    # sanity: a label in a script it cannot be written in would be a data bug
    return [r for r in records if r["text"] and dominant_script(r["text"]) != "Other"]


def _step_corpus(out: Path, mini: Path, data: Path | None) -> tuple[Path, Any, dict[str, Any]]:
    from aimm_nlp.corpus import clean, describe, load_corpus, save_corpus

    raw = out / "inputs" / "mini_corpus.jsonl"
    raw.parent.mkdir(parents=True, exist_ok=True)
    with raw.open("w", encoding="utf-8") as fh:
        for rec in _corpus_records(mini):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    sources: list[Any] = [str(raw)]
    if data is not None:
        sources += list(PUBLIC_CORPORA)
    ds = load_corpus(sources, split="train" if data is not None else None, data_dir=data)
    ds, report = clean(ds, normalize="auto.v1", min_chars=2, quality="web.v1", dedup="exact")
    corpus_dir = out / "corpus"
    save_corpus(ds, corpus_dir, report=report, overwrite=True, progress=False)  # checked by _check_out
    stats = describe(ds)
    stats.save(out / "corpus_stats")
    return corpus_dir, ds, {"report": report.to_markdown(), "stats": stats.to_markdown()}


def _reference_tokenizers() -> dict[str, Path]:
    shared = shared_root()
    found = {}
    for name, rel in REFERENCE_TOKENIZERS.items():
        if (shared / "tokenizers" / rel).is_file():
            found[name] = shared / "tokenizers" / rel
    return found


def _step_tokenizer(out: Path, ds: Any, mini: Path, vocab_size: int) -> tuple[Path, str, list[str]]:
    from aimm_nlp.tokenization import evaluate_tokenizers, train_tokenizer

    tok_dir = out / "tokenizer"  # replaced only if it is an earlier tokenizer (also checked by _check_out)
    train_tokenizer(ds, out_dir=tok_dir, vocab_size=vocab_size, seed=0, overwrite=True)
    parallel = [r for r in _read_tsv(mini / "translation.tsv") if r["zgh_Tfng"]]
    texts = {lang: [r[lang] for r in parallel] for lang in ("eng_Latn", "ary_Arab", "zgh_Tfng")}
    refs = _reference_tokenizers()
    report = evaluate_tokenizers({"aimm-demo": tok_dir, **refs}, texts, reference="eng_Latn")
    report.save(out / "tokenizer_fairness")
    notes = (
        []
        if refs
        else ["no reference tokenizer found under $AIMM_SHARED/tokenizers: fairness shown for ours only"]
    )
    return tok_dir, report.to_markdown(), notes


def _split_rows(
    rows: list[dict[str, str]], test_ids: set[str]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    train = [r for r in rows if r["id"] not in test_ids]
    test = [r for r in rows if r["id"] in test_ids]
    return train, test


def _step_finetune(
    out: Path, tok_dir: Path, mini: Path, corpus_texts: list[str], seed: int, max_steps: int | None
) -> dict[str, Path]:
    from aimm_nlp.evaluation import suite_split_ids
    from aimm_nlp.finetune import FinetuneConfig, finetune

    rows = _read_tsv(mini / "sentiment.tsv")
    train, _ = _split_rows(rows, suite_split_ids("morocco-mini", "mini_ary_sentiment", "test"))
    train_tsv = out / "inputs" / "sentiment_train.tsv"
    _write_lines(train_tsv, ["text\tlabel"] + [f"{r['text']}\t{r['label']}" for r in train])
    lm_txt = _write_lines(out / "inputs" / "lm_train.txt", corpus_texts)
    common_run = {"seed": seed, "threads": 2, "log_every": 5, "overwrite": True, "precision": "fp32"}
    classifier = FinetuneConfig.from_dict(
        {
            "task": "sequence_classification",
            "model": {"architecture": "bert", "size": "tiny", "tokenizer": str(tok_dir)},
            "data": {
                "train": str(train_tsv),
                "labels": ["negative", "neutral", "positive"],
                "max_length": 64,
            },
            "optim": {"lr": 2e-3, "epochs": 12, "warmup_steps": 10, "max_steps": max_steps},
            "run": {**common_run, "output_dir": str(out / "runs" / RUN_NAMES[0])},
        }
    )
    causal = FinetuneConfig.from_dict(
        {
            "task": "causal_lm",
            "model": {"architecture": "llama", "size": "tiny", "tokenizer": str(tok_dir)},
            "data": {"train": str(lm_txt), "max_length": 128, "max_tokens": 2048},
            "optim": {"lr": 3e-3, "epochs": 3, "warmup_steps": 10, "max_steps": max_steps},
            "run": {**common_run, "output_dir": str(out / "runs" / RUN_NAMES[1])},
        }
    )
    return {
        name: finetune(cfg).model_dir for name, cfg in (("classifier", classifier), ("causal_lm", causal))
    }


#: which task types each demo system answers (a classifier does no bits-per-byte, and so on)
SYSTEM_TASK_TYPES = {
    "tiny_classifier": ("classification",),
    "tiny_causal_lm": ("classification", "generation", "perplexity"),
    "baseline_majority": ("classification",),
    "baseline_char_ngram": ("classification",),
    "pipelines": ("pipeline",),
}


def _step_evaluate(
    out: Path, models: dict[str, Any], data: Path | None, limit: int | None
) -> tuple[dict[str, Path], list[tuple[str, str, str]]]:
    from aimm_nlp.evaluation import evaluate, load_suite, load_task

    suite = "morocco" if data is not None else "morocco-mini"
    types = {name: load_task(name, check_data=False).type for name in load_suite(suite).tasks}
    written, skipped = {}, []
    for name, model in models.items():
        tasks = [t for t, kind in types.items() if kind in SYSTEM_TASK_TYPES[name]]
        # Greedy generation is the one slow part, so only it is cut to `limit` items (the same
        # items for every model); everything else is scored on the whole test split.
        runs = {name: ([t for t in tasks if types[t] != "generation"], None)}
        runs[f"{name}_generation"] = ([t for t in tasks if types[t] == "generation"], limit)
        for run_name, (run_tasks, run_limit) in runs.items():
            if not run_tasks:
                continue
            res = evaluate(model, run_tasks, suite=suite, data=data, limit=run_limit)
            path = out / "results" / f"{run_name}.json"
            res.write(path)
            written[run_name] = path
            skipped += [(run_name, task, why) for task, why in res.skipped]
    return written, skipped


def _md_to_html(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(markdown)


def _step_report(
    out: Path, results: dict[str, Path], sections: dict[str, str], run_dirs: dict[str, Path]
) -> tuple[Path, str]:
    from aimm_nlp.report import report

    folder = out / "report"
    written = report(list(results.values()), out=folder)
    leaderboard = Path(written["markdown"]).read_text("utf-8")
    images: list[tuple[str, Path]] = [
        ("Corpus: length per language", out / "corpus_stats" / "length_hist.png"),
        ("Corpus: language and script shares", out / "corpus_stats" / "shares.png"),
        ("Tokenizer fertility per language", out / "tokenizer_fairness" / "fertility.png"),
        *[(f"Training curve: {name}", Path(d).parent / "curve.png") for name, d in run_dirs.items()],
        *[(f"Scores: {k.split(':', 1)[1]}", Path(v)) for k, v in written.items() if k.startswith("plot:")],
    ]
    parts = ['<!doctype html><html><head><meta charset="utf-8"><title>aimm_nlp demo report</title>',
             "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:3px 6px}img{max-width:100%}</style></head><body>",
             "<h1>aimm_nlp demo report</h1>"]  # fmt: skip
    for title, md in (("Leaderboard", leaderboard), *sections.items()):
        parts.append(
            f'<section id="{html.escape(title.lower().replace(" ", "-"))}"><h2>{html.escape(title)}</h2>'
        )
        parts.append(_md_to_html(md) + "</section>")
    parts.append('<section id="plots"><h2>Plots</h2>')
    for title, path in images:
        if path.is_file():
            target = folder / "img" / f"{path.parent.name}_{path.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            parts.append(f'<figure><img src="img/{html.escape(target.name)}" alt="{html.escape(title)}">'
                         f"<figcaption>{html.escape(title)}</figcaption></figure>")  # fmt: skip
    parts.append("</section></body></html>\n")
    index = folder / "index.html"
    tmp = index.with_suffix(".html.tmp")
    tmp.write_text("".join(parts), "utf-8")
    tmp.replace(index)
    return index, leaderboard


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

    corpus_dir, ds, corpus_md = _step_corpus(out_dir, mini, data_dir)
    done(f"corpus: {len(ds):,} documents -> {corpus_dir}")
    tok_dir, fairness_md, notes = _step_tokenizer(out_dir, ds, mini, vocab_size)
    done(f"tokenizer: {tok_dir} (fairness in {out_dir / 'tokenizer_fairness'})")
    run_dirs = _step_finetune(out_dir, tok_dir, mini, list(ds["text"]), seed, max_steps)
    done("fine-tuned: " + ", ".join(str(p) for p in run_dirs.values()))
    models: dict[str, Any] = {"tiny_classifier": run_dirs["classifier"], "tiny_causal_lm": run_dirs["causal_lm"],
                              "baseline_majority": "baseline:majority", "baseline_char_ngram": "baseline:char_ngram",
                              "pipelines": None}  # fmt: skip
    results, skipped = _step_evaluate(out_dir, models, data_dir, limit)
    done(f"evaluated {len(models)} systems -> {out_dir / 'results'}")
    suite = "morocco" if data_dir is not None else "morocco-mini"
    sections = {
        "How this was run": (
            f"Suite `{suite}`. Each system runs the task types it can answer (classifiers and baselines: "
            "classification; the causal LM: classification by label scoring, bits per byte and generation; "
            "pipelines: language ID and transliteration), on the whole test split of every task, except "
            f"generation (translation), which is cut to its first {limit} items (`*_generation` columns)."
        ),
        "Corpus": corpus_md["stats"] + "\n\n" + corpus_md["report"],
        "Tokenizer fairness": fairness_md,
    }
    if notes:
        sections["Notes"] = "\n".join(f"- {n}" for n in notes)
    if skipped:
        rows = "\n".join(f"| {m} | {t} | {why} |" for m, t, why in skipped)
        sections["Skipped tasks"] = "| system | task | why |\n|---|---|---|\n" + rows
    index, leaderboard = _step_report(out_dir, results, sections, run_dirs)
    done(f"report: {index}")
    steps.close()
    return DemoResult(out_dir, index, corpus_dir, tok_dir, run_dirs, results, time.perf_counter() - start,
                      leaderboard, [(t, w) for _, t, w in skipped])  # fmt: skip
