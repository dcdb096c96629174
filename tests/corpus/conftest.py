"""Fixtures for corpus tests: tiny files in real Moroccan text, one per supported format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_samples import DOCS


@pytest.fixture
def docs() -> list[tuple[str, str | None]]:
    return list(DOCS)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """One tiny file per format, all holding the texts of DOCS (csv/tsv/jsonl with a lang column)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = {}
    texts = [t for t, _ in DOCS]
    out["txt"] = tmp_path / "docs.txt"
    out["txt"].write_text("\n".join(texts) + "\n", encoding="utf-8")
    out["jsonl"] = tmp_path / "docs.jsonl"
    out["jsonl"].write_text(
        "".join(
            json.dumps({"id": i, "text": t, "lang": lang}, ensure_ascii=False) + "\n"
            for i, (t, lang) in enumerate(DOCS)
        ),
        encoding="utf-8",
    )
    out["csv"] = tmp_path / "docs.csv"
    rows = ['"text","lang"'] + ['"{}",{}'.format(t.replace('"', '""'), lang or "") for t, lang in DOCS]
    out["csv"].write_text("\n".join(rows) + "\n", encoding="utf-8")
    out["tsv"] = tmp_path / "docs.tsv"
    out["tsv"].write_text(
        "id\ttweet\n" + "".join(f"{i}\t{t}\n" for i, t in enumerate(texts)), encoding="utf-8"
    )
    out["parquet"] = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"text": texts, "lang": [lang for _, lang in DOCS]}), out["parquet"])
    out["conllu"] = tmp_path / "docs.conllu"
    blocks = [
        f"# sent_id = s{i}\n# text = {t}\n1\t{t or '_'}\t_\tX\t_\t_\t0\troot\t_\t_\n"
        for i, t in enumerate(texts)
    ]
    out["conllu"].write_text("\n".join(blocks) + "\n", encoding="utf-8")
    return out
