"""aimm's own task keys live under ``metadata.aimm``, so lm-eval's ``TaskConfig`` accepts the shipped files.

lm-eval comes with the ``bench`` extra: its checks skip locally without it and fail under ``CI=true``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aimm_nlp.errors import ConfigError
from aimm_nlp.evaluation.task import TASKS_DIR, list_tasks, load_task
from ci_support import require

SHIPPED = sorted(TASKS_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_lm_eval_builds_a_task_config_from_every_shipped_file(path):
    require("lm_eval", 'the bench extra: pip install "aimm-nlp[bench]"')
    from lm_eval.config.task import TaskConfig
    from lm_eval.tasks._yaml_loader import load_yaml

    cfg = load_yaml(path)  # lm-eval's own loader: include chain, shallow merge
    config = TaskConfig(**cfg)  # raised "unexpected keyword argument 'lang'" before
    assert config.metadata["version"] == 1  # lm-eval's versions column: the template's, repeated


@pytest.mark.parametrize("name", list_tasks())
def test_aimm_reads_the_keys_back_from_metadata(name):
    task = load_task(name, check_data=False)
    assert task.lang  # every shipped task names its language(s)
    assert task.primary_metric in task.metrics
    assert "aimm" not in task.config["metadata"]  # lifted: the config (and its hash) as before the move


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "d.tsv").write_text(
        "text\tlabel\nسلام لاباس\tpositive\nwach nta mzyaaaan 😂\tneutral\n", "utf-8"
    )
    path = tmp_path / "t.yaml"
    path.write_text(
        "task: t\noutput_type: classification\ndataset_path: csv\n"
        'dataset_kwargs: {data_files: {test: d.tsv}, delimiter: "\\t"}\n'
        "doc_to_text: text\ndoc_to_target: label\ndoc_to_choice: [negative, neutral, positive]\n" + text,
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "spelling",
    [
        "lang: ary_Arab\ndoc_filter: \"text | dominant_script == 'Arab'\"\nmetadata: {version: 2}\n",
        "metadata: {version: 2, aimm: {lang: ary_Arab, doc_filter: \"text | dominant_script == 'Arab'\"}}\n",
    ],
    ids=["top-level (old files)", "metadata.aimm"],
)
def test_both_spellings_give_the_same_task(tmp_path, spelling):
    task = load_task(_write(tmp_path, spelling))
    assert (task.lang, task.version, task.config["doc_filter"]) == (
        "ary_Arab",
        2,
        "text | dominant_script == 'Arab'",
    )
    assert [d["text"] for d in task.docs()] == ["سلام لاباس"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("metadata: {aimm: [lang, ary_Arab]}\n", "metadata.aimm: ['lang', 'ary_Arab'] is not a mapping"),
        ("metadata: {aimm: ary_Arab}\n", "metadata.aimm: 'ary_Arab' is not a mapping"),
        ("metadata: {aimm: {langs: ary_Arab}}\n", "unknown key 'langs' (did you mean 'lang'?)"),
        ("metadata: {aimm: {task: t2}}\n", "unknown key 'task'"),
        (
            "lang: ary_Arab\nmetadata: {aimm: {lang: ary_Latn}}\n",
            "metadata.aimm.lang: also set at the top level",
        ),
    ],
    ids=["list", "string", "typo", "lm-eval key", "both places"],
)
def test_a_bad_aimm_block_names_the_file_and_the_fix(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_task(path)
    message = str(info.value) + "".join(info.value.errors)
    assert str(path) in message and expected in message
