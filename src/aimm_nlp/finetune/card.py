"""Model card (a Hub-ready README.md: front-matter, data sources and licenses) and the training-curve PNG
of a run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

__all__ = ["PIPELINE_TAGS", "card_languages", "data_license", "plot_curve", "write_card"]


def data_license(data_file: str | None) -> str:
    """The license line of the README/LICENSE beside a data file, or "unknown (...)".

    Examples:
        >>> data_license(None)
        'unknown (no data file)'
    """
    if not data_file:
        return "unknown (no data file)"
    folder = Path(data_file).resolve().parent
    readme = folder / "README.md"
    if readme.is_file():
        for line in readme.read_text(encoding="utf-8", errors="replace").splitlines():
            if "license" in line.lower():
                return _license_text(line)
    lic = folder / "LICENSE"
    if lic.is_file():
        first = lic.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return first[0][:200] if first else "see LICENSE"
    return "unknown (no README or LICENSE beside the data file): check before sharing the model"


def _license_text(line: str) -> str:
    """A README's license line without Markdown markup or its "License:" label; hyphens kept.

    Examples:
        >>> _license_text("- **License: CC BY-NC 4.0** (`LICENSE`). Non-commercial only")
        'CC BY-NC 4.0 (LICENSE). Non-commercial only'
        >>> _license_text("**License.** Apache-2.0, same as the project.")
        'Apache-2.0, same as the project.'
    """
    text = re.sub(r"^\s*[-*+]\s+", "", line)  # list bullet
    text = re.sub(r"\*\*|__|`", "", text)  # bold and code markup
    text = re.sub(r"^\W*licen[sc]e\W*?[:.]\s*", "", text, flags=re.IGNORECASE)
    return text.strip()[:300]


PIPELINE_TAGS = {
    "sequence_classification": "text-classification",
    "token_classification": "token-classification",
    "masked_lm": "fill-mask",
    "causal_lm": "text-generation",
    "seq2seq": "text2text-generation",
}
"""The Hub ``pipeline_tag`` of each fine-tuning task."""


def _name(source: str | None) -> str | None:
    """A data source as shown in a card: a catalogued corpus name, else the file name (never a path)."""
    return Path(source).name if source else None


def _texts(rec: dict[str, Any], d) -> list[str]:
    cols = (
        d.text_column,
        d.prompt_column,
        d.response_column,
        d.source_column,
        d.target_column,
        d.words_column,
    )
    out = [
        " ".join(map(str, v)) if isinstance(v, list) else v
        for c in cols
        if c and isinstance(v := rec.get(c), (str, list))
    ]
    if "rows" in rec:  # token_rows
        out.append(" ".join(str(r.get(d.words_column, "")) for r in rec["rows"]))
    return [t for t in out if isinstance(t, str) and t.strip()]


def card_languages(cfg, *, sample: int = 1000, min_share: float = 0.05) -> list[str]:
    """FLORES-style codes of the training data: a catalogued corpus's languages, a ``lang`` column, or
    :func:`aimm_nlp.text.identify_batch` over the first ``sample`` records (languages of at least
    ``min_share`` of the texts). Empty when the data cannot be read."""
    from aimm_nlp.errors import AimmError
    from aimm_nlp.finetune.data import read_records
    from aimm_nlp.langs import LANGS

    d = cfg.data
    if not d.train:
        return []
    if not Path(d.train).is_file():
        try:
            from aimm_nlp.corpus import corpus_info

            return list(corpus_info(d.train).languages)
        except (AimmError, ImportError):
            return []
    try:
        records = read_records(d.train, fmt=d.format, group_column=d.group_column, limit=sample)
    except AimmError:
        return []
    tagged = [r.get("lang") for r in records]
    if tagged and all(lang in LANGS for lang in tagged):
        langs = tagged
    else:
        from aimm_nlp.text import identify_batch

        langs = [g.lang for g in identify_batch([t for r in records for t in _texts(r, d)])]
    counts: dict[str, int] = {}
    for lang in langs:
        counts[lang] = counts.get(lang, 0) + 1
    total = sum(counts.values()) or 1
    return [lang for lang, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n / total >= min_share]


def _eval_results(task_type: str, eval_name: str | None, evals: dict[str, Any]) -> list[Any]:
    from huggingface_hub import EvalResult

    return [
        EvalResult(
            task_type=task_type,
            dataset_type=eval_name,
            dataset_name=eval_name,
            metric_type=k.removeprefix("eval_"),
            metric_value=v,
        )
        for k, v in evals.items()
        if k.startswith("eval_") and isinstance(v, (int, float)) and not isinstance(v, bool)
    ]


def write_card(folder: Path, cfg, state, *, labels, truncated: int) -> None:
    """Write ``folder/README.md``, a Hub-ready card (``huggingface_hub.ModelCard``, saved locally).

    Front-matter: ``license`` (of the training data, as a Hub id; ``unknown`` when no README/LICENSE
    beside it says), ``language`` (Hub codes of the training data's languages), ``pipeline_tag``,
    ``library_name`` (``peft`` for an unmerged LoRA adapter), ``base_model`` (only a Hub id, never a
    local path), ``datasets`` (corpus or file names), ``metrics`` and a ``model-index`` when the run
    was evaluated. The body names files, never absolute local paths.
    """
    from aimm_nlp import __version__
    from aimm_nlp._hubcard import hub_languages, hub_license, hub_model_id, save_card

    m, d = cfg.model, cfg.data
    adapter = m.lora.enabled and not m.lora.merge
    base_id = hub_model_id(m.path)
    if m.path:
        base = f"`{base_id}`" if base_id else f"local checkpoint `{Path(m.path).name}` (not on the Hub)"
    else:
        base = f"from scratch: {m.architecture} ({m.size}), tokenizer `{Path(str(m.tokenizer)).name}`"
    evals = [h for h in state.history if "eval_loss" in h]
    losses = [h["loss"] for h in state.history if "loss" in h]
    train_license, eval_license = data_license(d.train), data_license(d.eval) if d.eval else None
    tag = PIPELINE_TAGS[cfg.task]
    results = _eval_results(tag, _name(d.eval), evals[-1]) if evals else []
    front = {
        "license": hub_license(train_license),
        "language": hub_languages(card_languages(cfg)),
        "library_name": "peft" if adapter else "transformers",
        "pipeline_tag": tag,
        "base_model": base_id,
        "datasets": [n for n in (_name(d.train), _name(d.eval)) if n],
        "metrics": [r.metric_type for r in results],
        "tags": ["aimm_nlp", "moroccan", *(["lora"] if m.lora.enabled else [])],
        "model_name": Path(cfg.run.output_dir).name if results else None,
        "eval_results": results,
    }
    kind = "LoRA adapter (load with peft on the base model)" if adapter else "model"
    lines = [
        f"# {cfg.task} {kind} trained with aimm_nlp {__version__}",
        "",
        f"- **Base model:** {base}",
        f"- **Task:** `{cfg.task}`" + (f", labels: {', '.join(map(str, labels))}" if labels else ""),
        "",
        "## Data",
        "| split | source | license |",
        "|---|---|---|",
        f"| train | `{_name(d.train)}` | {train_license} |",
    ]
    if d.eval:
        lines.append(f"| eval | `{_name(d.eval)}` | {eval_license} |")
    lines += [
        "",
        "The model inherits the data licenses' terms (attribution, share-alike, non-commercial) where they apply.",
        f"Samples longer than {d.max_length} tokens were truncated: {truncated}.",
        "",
        "## Training",
        f"- steps: {state.step}, lr {cfg.optim.lr}, scheduler {cfg.optim.scheduler}, seed {cfg.run.seed}",
        f"- batches: {_batches(cfg)}, grad_accum {cfg.optim.grad_accum}, "
        f"packing {d.packing and cfg.task == 'causal_lm'}",
        f"- final training loss: {losses[-1] if losses else 'n/a'}",
        f"- real tokens/s: {state.real_tokens / state.train_seconds:,.0f}" if state.train_seconds else "",
        "",
        "## Evaluation",
    ]
    lines += (
        [", ".join(f"{k}={v}" for k, v in evals[-1].items())] if evals else ["no evaluation data was given"]
    )
    save_card(folder / "README.md", front, "\n".join(lines))


def plot_curve(history: list[dict[str, Any]], path: Path) -> None:
    """Training loss per step and evaluation loss, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    train = [(h["step"], h["loss"]) for h in history if "loss" in h]
    evals = [(h["step"], h["eval_loss"]) for h in history if "eval_loss" in h]
    if train:
        ax.plot(*zip(*train, strict=True), label="train loss", lw=1)
    if evals:
        ax.plot(*zip(*evals, strict=True), "o-", label="eval loss")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("loss")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _batches(cfg: Any) -> str:
    """How micro-batches were formed (``data.batching`` resolved as :func:`~.batching.batching_for` does)."""
    from aimm_nlp.finetune.batching import batching_for

    d = cfg.data
    if d.packing and cfg.task == "causal_lm":
        return f"packed rows, {d.max_tokens} tokens per micro-batch"
    if batching_for(cfg.task, d.batching) == "tokens":
        return f"token budget, {d.max_tokens} tokens per micro-batch"
    how = "random" if d.megabatch == 1 else f"length-sorted in megabatches of {d.megabatch}"
    return (
        f"bucketed (equal sample counts, as many batches as {d.max_tokens} tokens per micro-batch make, "
        f"{how}; each computed in length-sorted chunks of <= {d.max_tokens} padded tokens)"
    )
