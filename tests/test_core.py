"""errors, langs, registry, deps."""

import pytest

from aimm_nlp import errors, langs
from aimm_nlp._deps import is_available, require
from aimm_nlp._registry import Registry, did_you_mean


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.ConfigError, ValueError),
        (errors.UnknownNameError, KeyError),
        (errors.DataError, ValueError),
        (errors.InputFileError, OSError),
        (errors.ModelError, ValueError),
        (errors.MissingDependencyError, ImportError),
    ],
)
def test_error_tree(cls: type, builtin: type) -> None:
    assert issubclass(cls, errors.AimmError)
    assert issubclass(cls, builtin)


def test_config_error_lists_all() -> None:
    err = errors.ConfigError("bad config:", errors=["a is wrong", "b is missing"])
    assert str(err) == "bad config:\n  - a is wrong\n  - b is missing"


def test_registry_lazy_and_did_you_mean() -> None:
    reg = Registry("preset")
    reg.register("ary_arab.v1", "aimm_nlp.text.normalize:normalize")
    from aimm_nlp.text import normalize

    assert reg.get("ary_arab.v1") is normalize
    assert "ary_arab.v1" in reg and list(reg) == ["ary_arab.v1"]
    with pytest.raises(errors.UnknownNameError, match=r"did you mean 'ary_arab.v1'\?"):
        reg.get("ary_arab.v2")
    with pytest.raises(ValueError, match="already registered"):
        reg.register("ary_arab.v1", object())
    assert did_you_mean("zzz", ["ary_arab"]) == ""


@pytest.mark.parametrize(
    ("code", "script"),
    [
        ("ary_Arab", "Arab"),
        ("ary_Latn", "Latn"),
        ("zgh_Tfng", "Tfng"),
        ("ber_Latn", "Latn"),
        ("tzm_Tfng", "Tfng"),
    ],
)
def test_langs(code: str, script: str) -> None:
    assert langs.script_of_lang(code) == script
    assert langs.LANGS[code].code == code


def test_core_langs_and_unknown_code() -> None:
    assert len(langs.CORE_LANGS) == 7 and set(langs.CORE_LANGS) <= set(langs.LANGS)
    with pytest.raises(errors.UnknownNameError, match="did you mean 'ary_Arab'"):
        langs.check_lang("ary_arab")


def test_deps() -> None:
    assert is_available("json")
    assert not is_available("surely_not_a_module_xyz")
    with pytest.raises(errors.MissingDependencyError, match=r'pip install "aimm-nlp\[peft\]"'):
        require("surely_not_a_module_xyz", extra="peft")
