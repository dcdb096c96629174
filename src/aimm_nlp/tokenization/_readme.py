"""The Hub-ready ``README.md`` of a trained tokenizer folder, from its ``tokenizer_card.json`` data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["write_readme"]


def write_readme(folder: Path, card: dict[str, Any]) -> None:
    """Write ``folder/README.md``: front-matter (language codes of the corpus, library, tags) and a body
    describing how the tokenizer was trained. No license is claimed (the corpus's is not known here:
    add it before sharing) and no local path is written (the corpus is named by its sha256)."""
    from aimm_nlp._hubcard import hub_languages, save_card

    langs = card["corpus"]["languages"]
    front = {
        "language": hub_languages(langs),
        "library_name": "transformers",
        "tags": ["aimm_nlp", "moroccan", "tokenizer", card["kind"], card["for_model"]],
    }
    rows = [
        f"| `{lang}` | {v['texts']:,} | {v['chars']:,} | {v['sampled']['share']:.4f} |"
        for lang, v in langs.items()
    ]
    post = card["post_processor"]["single"].replace("$A", "text")
    body = [
        f"# {card['kind'].upper()} tokenizer ({card['for_model']}) trained with aimm_nlp {card['aimm_nlp']}",
        "",
        f"- **Vocabulary:** {card['actual_vocab_size']:,} tokens (asked {card['vocab_size']:,}), backend "
        f"`{card['backend']}`, byte fallback {card['byte_fallback']}",
        f"- **Special tokens:** {' '.join(f'`{t}`' for t in card['special_tokens'])}; `tokenizer(text)` gives `{post}`",
        f"- **Normalizer** (training text only): `{card['normalizer']['preset']}`, fold_letters "
        f"{card['normalizer']['fold_letters']}",
        f"- **Sampling:** temperature {card['sampling']['temperature']}, seed {card['sampling']['seed']}"
        + _case_note(card["sampling"].get("case_augment")),
        "",
        "```python",
        "from transformers import AutoTokenizer",
        'tok = AutoTokenizer.from_pretrained("PATH/OR/HUB/ID")',
        "```",
        "",
        "## Corpus",
        f"sha256 `{card['corpus']['sha256']}`. The corpus's license is not recorded: add it to this card "
        "before sharing the tokenizer.",
        "",
        "| language | texts | characters | sampled share |",
        "|---|---|---|---|",
        *rows,
    ]
    save_card(folder / "README.md", front, "\n".join(body))


def _case_note(shares: dict[str, float] | None) -> str:
    if not shares:
        return ""
    parts = ", ".join(f"{lang} {share:.0%}" for lang, share in sorted(shares.items()))
    return f"; lines in Title Case or ALL CAPS (case_augment): {parts}"
