"""The ``CARD.md`` that :func:`aimm_nlp.text.langid.train_langid` writes next to a model it trains."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_card"]


def write_card(folder: Path, config: dict, name: str | None = None) -> None:
    """Write ``folder/CARD.md``: what the model is, what it was trained on and how to use it.

    ``name``: the model folder's final name, shown in the usage example (default ``folder.name``; a
    model is written into a temporary folder and renamed after, so the trainer passes the final one)."""
    from aimm_nlp._io import atomic_output

    t = config.get("training", {})
    labels = config.get("labels", [])
    lines = [
        f"# langid model: {len(labels)} classes ({', '.join(labels)})",
        "",
        "Written by `aimm_nlp.text.train_langid` (`aimm langid train`); "
        f"aimm_nlp {t.get('aimm_nlp_version', '?')}. Use it with `model=` (Python) or `--model` (CLI):",
        "",
        "```python",
        "from aimm_nlp.text import identify, dialectness",
        f'identify("...", model="{name or folder.name}")',
        "```",
        "",
        "## Model",
        f"Feature scheme `{config.get('feature_scheme')}` (character {min(config.get('orders', [0]))}-"
        f"{max(config.get('orders', [0]))}-grams{' + whole words' if config.get('words') else ''}"
        f"{', Darija/MSA word shapes x' + str(config['morph']) if config.get('morph') else ''}), "
        f"2^{config.get('bits')} hash buckets; {t.get('optimizer', 'logistic regression')}, C = {t.get('C')}, "
        f"{t.get('max_iter')} iterations, seed {t.get('seed')}; chunk pairs per text: {t.get('chunks')}.",
        "Classes are weighted equally and, inside a class, sources are weighted equally, so the scores "
        "assume equal base rates per script unless `calibration.base_rates` in `config.json` says otherwise "
        "(pass `priors=` for your domain's rates).",
    ]
    if t.get("source_weights"):
        lines.append(f"Source weights: {t['source_weights']}.")
    if t.get("bias_shift"):
        lines.append(f"Intercept shifts after the fit: {t['bias_shift']}.")
    if config.get("word_model"):
        lines.append(
            f"Word model for `tag_words` in `words/` ({config['word_model'].get('word_types')} word types)."
        )
    if config.get("calibration"):
        lines.append(f"Calibration (`config.json`): {config['calibration']}.")
    lines += ["", "## Training data", f"{t.get('examples')} texts:", "", "| label | rows |", "|---|---|"]
    lines += [f"| {lab} | {n:,} |" for lab, n in t.get("class_counts", {}).items()]
    lines += ["", "| label | source | rows |", "|---|---|---|"]
    for key, n in t.get("sources", {}).items():
        lab, _, src = key.partition("\t")
        lines.append(f"| {lab} | {src} | {n:,} |")
    lines += [
        "",
        "Fill in before sharing: the license of every source (the model inherits ShareAlike terms), who "
        "labelled the data and how, and scores on a held-out set (`aimm_nlp.text.langid.evaluate_langid`).",
    ]
    if t.get("command"):
        lines += ["", "## Command", "```bash", t["command"], "```"]
    with atomic_output(folder / "CARD.md") as fh:
        fh.write("\n".join(lines) + "\n")
