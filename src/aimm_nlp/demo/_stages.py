"""The five steps of ``aimm demo`` (corpus, tokenizer, fine-tune, evaluate, report), each writing a
normal library artifact under the demo's ``out`` folder. :func:`aimm_nlp.demo.run_demo` checks the
options and the folder first, then runs them in order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aimm_nlp._paths import shared_root
from aimm_nlp.langs import ARY_ARAB, ARY_LATN, ENG_LATN, ZGH_TFNG

#: what the demo replaces wholesale inside ``out`` (everything else is written file by file)
RUN_NAMES = ("ary_sentiment_tiny", "ary_causal_lm_tiny")
PUBLIC_CORPORA = ("afrisenti_ma", "nllb_seed_moroccan", "langid_moroccan")

#: reference tokenizers looked for under $AIMM_SHARED/tokenizers, first found is used
REFERENCE_TOKENIZERS = {"mistral-7b-v0.1": "mistral-7b-v0.1/tokenizer.model"}


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
        records.append({"text": row["text"], "lang": ARY_ARAB if row["script"] == "Arab" else ARY_LATN})
    records += [{"text": r["text"], "lang": r["label"]} for r in _read_tsv(mini / "langid.tsv")]
    for row in _read_tsv(mini / "translation.tsv"):
        records += [
            {"text": row[ENG_LATN], "lang": ENG_LATN},
            {"text": row[ARY_ARAB], "lang": ARY_ARAB},
        ]
        if row[ZGH_TFNG]:
            records.append({"text": row[ZGH_TFNG], "lang": ZGH_TFNG})
    for path in sorted((mini / "text").glob("*.txt")):
        records += [{"text": t, "lang": path.stem} for t in path.read_text("utf-8").splitlines() if t]
    for row in _read_tsv(mini / "translit.tsv"):
        records += [{"text": row["arabizi"], "lang": ARY_LATN}, {"text": row["arabic"], "lang": ARY_ARAB}]
    # sanity: a label in a script it cannot be written in would be a data bug
    return [r for r in records if r["text"] and dominant_script(r["text"]) != "Other"]


def step_corpus(out: Path, mini: Path, data: Path | None) -> tuple[Path, Any, dict[str, Any]]:
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


def step_tokenizer(out: Path, ds: Any, mini: Path, vocab_size: int) -> tuple[Path, str, list[str]]:
    from aimm_nlp.tokenization import evaluate_tokenizers, train_tokenizer

    tok_dir = out / "tokenizer"  # replaced only if it is an earlier tokenizer (also checked by _check_out)
    train_tokenizer(ds, out_dir=tok_dir, vocab_size=vocab_size, seed=0, overwrite=True)
    parallel = [r for r in _read_tsv(mini / "translation.tsv") if r[ZGH_TFNG]]
    texts = {lang: [r[lang] for r in parallel] for lang in (ENG_LATN, ARY_ARAB, ZGH_TFNG)}
    refs = _reference_tokenizers()
    report = evaluate_tokenizers({"aimm-demo": tok_dir, **refs}, texts, reference=ENG_LATN)
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


#: the tiny classifier's training (from scratch): enough to beat the majority baseline clearly
CLASSIFIER_OPTIM = {"lr": 3e-3, "epochs": 25, "warmup_steps": 10}


#: the license of the demo's own data, as the README beside its training files says it (model cards read it)
MINI_LICENSE = "Apache-2.0 (the hand-written morocco-mini sets of aimm_nlp, aimm_nlp/data/morocco_mini)"


def _data_readme(folder: Path, what: str, license_text: str) -> None:
    """A README beside training files naming their license, which the fine-tuning card reports."""
    _write_lines(folder / "README.md", [f"# {what}", "", f"**License.** {license_text}"])


def step_finetune(
    out: Path,
    tok_dir: Path,
    mini: Path,
    corpus_texts: list[str],
    seed: int,
    max_steps: int | None,
    public: tuple[str, ...] = (),
) -> dict[str, Path]:
    """Fine-tune the tiny classifier (morocco-mini sentiment) and the tiny causal LM (the corpus texts,
    which hold the ``public`` corpora too when given); each training file has a README naming its license."""
    from aimm_nlp.corpus import corpus_info
    from aimm_nlp.evaluation import suite_split_ids
    from aimm_nlp.finetune import FinetuneConfig, finetune

    rows = _read_tsv(mini / "sentiment.tsv")
    train, _ = _split_rows(rows, suite_split_ids("morocco-mini", "mini_ary_sentiment", "test"))
    train_tsv = out / "inputs" / "sentiment_train.tsv"
    _write_lines(train_tsv, ["text\tlabel"] + [f"{r['text']}\t{r['label']}" for r in train])
    _data_readme(out / "inputs", "aimm demo inputs (from morocco-mini)", MINI_LICENSE)
    lm_dir = out / "inputs" / ("lm_public" if public else "")
    lm_txt = _write_lines(lm_dir / "lm_train.txt", corpus_texts)
    if public:
        parts = [f"{corpus_info(name).license} ({name})" for name in public]
        _data_readme(lm_dir, "aimm demo LM corpus", " AND ".join([MINI_LICENSE, *parts]))
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
            "optim": {**CLASSIFIER_OPTIM, "max_steps": max_steps},
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


def step_evaluate(
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


def step_report(
    out: Path, results: dict[str, Path], sections: dict[str, str], run_dirs: dict[str, Path]
) -> tuple[Path, str]:
    """The report: one self-contained ``report/leaderboard.html`` (+ .md, .csv, .json, PNGs).

    A system's generation run (``<name>_generation.json``, cut to ``limit``) joins its row; the story
    (:mod:`aimm_nlp.demo._story`) is computed from the scores and shown first.
    """
    from aimm_nlp.demo._story import SYSTEM_NOTES, story
    from aimm_nlp.report import report
    from aimm_nlp.report.board import load_board

    runs = [f"{name.removesuffix('_generation')}={path}" for name, path in results.items()]
    board = load_board(runs)
    epochs = CLASSIFIER_OPTIM["epochs"]
    n_train = len(_read_tsv(out / "inputs" / "sentiment_train.tsv"))
    written = report(
        runs,
        out=out / "report",
        baseline="baseline_majority" if "baseline_majority" in board.systems else None,
        title="aimm_nlp demo report",
        summary="### What this shows\n\n" + story(board, n_train=n_train, epochs=epochs),
        sections=sections,
        notes={k: v for k, v in SYSTEM_NOTES.items() if k in board.systems},
        tokenizer_report=out / "tokenizer_fairness",
        training_runs={f"{name} ({Path(d).parent.name})": Path(d).parent for name, d in run_dirs.items()},
    )
    return written["html"], Path(written["markdown"]).read_text("utf-8")
