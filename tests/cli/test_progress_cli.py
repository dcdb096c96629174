"""`aimm finetune` and `aimm eval` show progress with an ETA on stderr; `--quiet` removes it; stdout is
the same either way."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from ft_helpers import LABELS, base_cfg

from aimm_nlp.cli import main

METER = re.compile(r"(\d+)/(\d+) \[\d\d:\d\d<\d\d:\d\d")  # done/total [elapsed<ETA


def _finetune(tmp_path, tok_dir, data_dir, name, *flags):
    raw = base_cfg("sequence_classification", tok_dir, data_dir / "tweets.tsv", tmp_path / name,
                   data__text_column="tweet", data__labels=LABELS)  # fmt: skip
    cfg = tmp_path / f"{name}.yaml"
    cfg.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return main(["finetune", *flags, str(cfg), "optim.max_steps=4", "run.log_every=2", "run.seed=3"])


def test_finetune_progress_and_quiet(tok_dir, data_dir, tmp_path, capsys):
    assert _finetune(tmp_path, tok_dir, data_dir, "loud") == 0
    loud = capsys.readouterr()
    lines = [x for x in loud.err.splitlines() if x.startswith("finetune: ")]
    assert len(lines) == 2, loud.err  # after the first step (its ETA) and at the end: not a terminal
    assert [METER.search(x).groups() for x in lines] == [("1", "4"), ("4", "4")]
    assert "step" in lines[-1] and "loss=" in lines[-1]
    assert _finetune(tmp_path, tok_dir, data_dir, "quiet", "--quiet") == 0
    quiet = capsys.readouterr()
    assert quiet.err == ""

    def summary(out):
        row = json.loads(out.strip().splitlines()[-1])
        return {k: v for k, v in row.items() if k not in ("output_dir", "real_tokens_per_s")}

    assert summary(loud.out) == summary(quiet.out)
    assert summary(loud.out)["steps"] == 4


@pytest.mark.parametrize("limit", ["1", "30"])
def test_eval_progress_per_task_and_quiet(tmp_path, capsys, limit):
    args = ["eval", "--tasks", "script_id", "--limit", limit, "--no-cache", "--bootstrap-iters", "0"]
    assert main([*args, "--output", str(tmp_path / "loud.json")]) == 0
    loud = capsys.readouterr()
    lines = [x for x in loud.err.splitlines() if x.startswith("eval script_id: ")]
    assert lines and METER.search(lines[-1]).groups() == (limit, limit), loud.err
    assert main([*args, "--output", str(tmp_path / "quiet.json"), "--quiet"]) == 0
    quiet = capsys.readouterr()
    assert "eval script_id" not in quiet.err and not METER.search(quiet.err)
    assert quiet.out == loud.out and "script_id" in loud.out
