"""Model card (README.md with data sources and licenses) and the training-curve PNG of a run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

__all__ = ["data_license", "plot_curve", "write_card"]


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


def write_card(folder: Path, cfg, state, *, labels, truncated: int) -> None:
    """Write ``folder/README.md``: task, base model, data and licenses, settings, results."""
    from aimm_nlp import __version__

    m, d = cfg.model, cfg.data
    base = m.path or f"from scratch: {m.architecture} ({m.size}), tokenizer {m.tokenizer}"
    evals = [h for h in state.history if "eval_loss" in h]
    losses = [h["loss"] for h in state.history if "loss" in h]
    lines = [
        "---",
        "library_name: transformers",
        "tags: [aimm_nlp, moroccan]",
        "---",
        f"# {cfg.task} model trained with aimm_nlp {__version__}",
        "",
        f"- **Base model:** {base}",
        f"- **Task:** `{cfg.task}`" + (f", labels: {', '.join(map(str, labels))}" if labels else ""),
        "",
        "## Data",
        "| split | source | license |",
        "|---|---|---|",
        f"| train | `{d.train}` | {data_license(d.train)} |",
    ]
    if d.eval:
        lines.append(f"| eval | `{d.eval}` | {data_license(d.eval)} |")
    lines += [
        "",
        "The model inherits the data licenses' terms (attribution, share-alike, non-commercial) where they apply.",
        f"Samples longer than {d.max_length} tokens were truncated: {truncated}.",
        "",
        "## Training",
        f"- steps: {state.step}, lr {cfg.optim.lr}, scheduler {cfg.optim.scheduler}, seed {cfg.run.seed}",
        f"- batches: {d.max_tokens} tokens per micro-batch, grad_accum {cfg.optim.grad_accum}, "
        f"packing {d.packing and cfg.task == 'causal_lm'}",
        f"- final training loss: {losses[-1] if losses else 'n/a'}",
        f"- real tokens/s: {state.real_tokens / state.train_seconds:,.0f}" if state.train_seconds else "",
        "",
        "## Evaluation",
    ]
    lines += (
        [", ".join(f"{k}={v}" for k, v in evals[-1].items())] if evals else ["no evaluation data was given"]
    )
    (folder / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


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
