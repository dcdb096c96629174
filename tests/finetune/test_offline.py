"""finetune() never goes online and never changes the environment: every load is ``local_files_only``.

About internals: it spies on transformers' ``from_pretrained`` entry points to see the arguments aimm
passes, since a local folder loads the same with or without the flag.
"""

from __future__ import annotations

import os
import socket

import pytest
import transformers
from ft_helpers import base_cfg

from aimm_nlp.finetune import FinetuneConfig, finetune

OFFLINE_VARS = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")


def _no_network(*args, **kwargs):
    raise AssertionError(f"finetune opened a network connection: {args}")


def test_finetune_from_a_local_checkpoint_is_offline_and_leaves_the_environment(
    tok_dir, data_dir, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = finetune(
        FinetuneConfig.from_dict(base_cfg("causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "a"))
    )
    for name in OFFLINE_VARS:  # as in a user's shell: nothing says "offline"
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    seen: list[tuple[str, object]] = []

    def spy(owner, name):
        original = getattr(owner, name).__func__

        def wrapper(cls, *args, **kwargs):
            seen.append((f"{cls.__name__}.{name}", kwargs.get("local_files_only")))
            return original(cls, *args, **kwargs)

        monkeypatch.setattr(owner, name, classmethod(wrapper))

    spy(transformers.AutoTokenizer, "from_pretrained")
    spy(transformers.AutoConfig, "from_pretrained")
    spy(transformers.PreTrainedModel, "from_pretrained")
    before = dict(os.environ)
    raw = base_cfg("causal_lm", tok_dir, data_dir / "text.txt", tmp_path / "b")
    raw["model"] = {"path": str(first.model_dir)}
    res = finetune(FinetuneConfig.from_dict(raw, overrides=["optim.max_steps=2"]))
    assert res.steps == 2 and (res.model_dir / "config.json").is_file()
    assert dict(os.environ) == before  # no HF_HUB_OFFLINE / HF_DATASETS_OFFLINE set by a library call
    names = {n for n, _ in seen}
    assert {"AutoTokenizer.from_pretrained", "AutoConfig.from_pretrained"} <= names, seen
    assert any(n.endswith("ForCausalLM.from_pretrained") for n in names), seen
    assert all(flag is True for _, flag in seen), seen  # every load local only
