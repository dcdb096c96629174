"""Local copies of the Hub datasets lm-eval's Darija tasks read, in the Hub schema, a few rows each.

Columns and types follow the datasets on the Hub (what the task YAMLs and their ``utils.py`` read):
MBZUAI-Paris/DarijaMMLU (one config per subject; ``test`` and ``dev`` splits), DarijaHellaSwag
(HellaSwag's columns, ``label`` a string; ``validation`` split) and DarijaBench (chat ``messages``;
one split per source, e.g. ``mac``, plus ``transliteration``).
"""

from __future__ import annotations

import json
from pathlib import Path


def lm_eval_tasks() -> Path:
    """The ``tasks`` folder of the installed lm-eval (its task YAMLs, read unchanged)."""
    import importlib.util

    spec = importlib.util.find_spec("lm_eval")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "tasks"


MMLU_ROWS = [
    {
        "question": "شنو هو الحساب اللي كيتسجل فيه الفلوس اللي دخلات للشركة؟",
        "context": "",
        "choices": ["الخزينة", "المصاريف", "الديون", "الرأسمال"],
        "answer": 0,
    },
    {
        "question": "إلا شريتي سلعة بالكريدي، شنو كيطلع؟",
        "context": "الشركة شرات سلعة ب 1000 درهم.",
        "choices": ["الموردين", "الزبناء", "البنك"],
        "answer": 0,
    },
    {
        "question": "واش الاستهلاك ديال الآلات كيتحسب فالمصاريف؟",
        "context": "",
        "choices": ["آه", "لا", "غير فالعام الأول", "ماكاينش"],
        "answer": 0,
    },
]
HELLASWAG_ROWS = [
    {
        "ind": 24,
        "activity_label": "الطياب",
        "ctx_a": "واحد الراجل واقف فالكوزينة.",
        "ctx_b": "من بعد",
        "ctx": "واحد الراجل واقف فالكوزينة. من بعد",
        "endings": ["كيقطع البصلة بالموس.", "كيطير فالسما.", "كيشرب الطوموبيل.", "كينعس فوق الطابلة 😂"],
        "source_id": "activitynet~v_-1IBHYS3L-Y",
        "split": "val",
        "split_type": "indomain",
        "label": "0",
    },
    {
        "ind": 92,
        "activity_label": "الكورة",
        "ctx_a": "الدراري كيلعبو فالزنقة.",
        "ctx_b": "واحد منهم",
        "ctx": "الدراري كيلعبو فالزنقة. واحد منهم",
        "endings": ["كيقرا كتاب.", "شاط الكورة ودخلها فالگول.", "طيب الطاجين.", "مشى للبحر"],
        "source_id": "activitynet~v_-7Dw_2P9Y5U",
        "split": "val",
        "split_type": "zeroshot",
        "label": "1",
    },
    {
        "ind": 7,
        "activity_label": "التصبين",
        "ctx_a": "مرا كتجمع الحوايج.",
        "ctx_b": "من بعد",
        "ctx": "مرا كتجمع الحوايج. من بعد",
        "endings": ["كدخلهم للماشينة.", "كتاكلهم.", "كتلوحهم فالبحر.", "كتدير بيهم أتاي"],
        "source_id": "wikihow~1234",
        "split": "val",
        "split_type": "indomain",
        "label": "0",
    },
]
_SENT_PROMPT = "شنو هو الإحساس ديال هاد الجملة؟\n{}\nالاختيارات هوما:\n-سلبي\n-ايجابي\n-ماكينش إحساس"
_TWEETS = [
    ("الماتش ديال البارح كان زوين بزاااف 😍", "ايجابي"),
    ("هاد الخدمة خايبة والله", "سلبي"),
    ("غدا غادي نمشي للرباط", "ماكينش إحساس"),
    ("salam, wach labas? mzyaaan", "ايجابي"),
]
BENCH_ROWS = [
    {"id": f"mac-{i}", "dataset": "mac", "direction": None,
     "messages": [{"content": _SENT_PROMPT.format(t), "role": "user"}, {"content": y, "role": "assistant"}]}
    for i, (t, y) in enumerate(_TWEETS)
]  # fmt: skip
MMLU_SUBJECT = {"subject": "Accounting", "subject_darija": "المحاسبة", "source": "arabic_mmlu"}


def mmlu_rows(subject: str) -> list[dict]:
    return [{**r, **MMLU_SUBJECT, "subject": subject} for r in MMLU_ROWS]


def write(path: Path, rows: list[dict]) -> Path:
    """``rows`` as ``path`` (.parquet with pyarrow, as the Hub stores them, or .jsonl)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def hub_root(root: Path, *, mmlu_subjects: list[str] = ("accounting",)) -> Path:
    """``root/MBZUAI-Paris/{DarijaMMLU,DarijaHellaSwag,DarijaBench}`` as ``huggingface-cli download`` lays them out."""
    org = root / "MBZUAI-Paris"
    for subject in mmlu_subjects:
        write(org / "DarijaMMLU" / subject / "test-00000-of-00001.parquet", mmlu_rows(subject))
        write(org / "DarijaMMLU" / subject / "dev-00000-of-00001.parquet", mmlu_rows(subject)[::-1])
    write(org / "DarijaHellaSwag" / "data" / "validation-00000-of-00001.parquet", HELLASWAG_ROWS)
    write(org / "DarijaHellaSwag" / "data" / "train-00000-of-00001.parquet", HELLASWAG_ROWS[:1])
    write(org / "DarijaBench" / "data" / "mac-00000-of-00001.parquet", BENCH_ROWS)
    return root
