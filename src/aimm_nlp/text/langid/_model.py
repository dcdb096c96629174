"""Load, save and apply a hashed n-gram language-ID model (npz + JSON sidecar, no pickles).

A model directory holds ``weights.npz`` (``W``: buckets x classes, float16; ``b``:
classes, float32; loaded with ``allow_pickle=False``) and ``config.json`` (format
version, feature scheme, labels, training config and sources). Scoring is
``softmax((sum of CSR feature matrices) @ W / sqrt(n_features) + b)`` with classes
masked by the text's dominant script, plus the script rules: Tifinagh ->
``zgh_Tfng`` and no letter at all -> ``und``.
"""

from __future__ import annotations

import functools
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aimm_nlp.errors import ModelError
from aimm_nlp.text.langid._features import FEATURE_SCHEMES, featurize, prepare

__all__ = ["FORMAT_VERSION", "Model", "default_model_dir", "load_model"]

FORMAT_VERSION = 1
_SCRIPTS = ("Arab", "Latn", "Tfng")
# Codepoint ranges of the cleaned text (see _features._lut) per script.
_RANGES = {
    "Arab": ((0x0600, 0x0700), (0x0750, 0x0780), (0x08A0, 0x0900), (0xFB50, 0xFE00), (0xFE70, 0xFF00)),
    "Latn": (
        (0x61, 0x7B),
        (0xC0, 0x250),
        (0x250, 0x2B0),
        (0x1E00, 0x1F00),
        (0x2C60, 0x2C80),
        (0xA720, 0xA800),
    ),
    "Tfng": ((0x2D30, 0x2D80),),
}
_LOCK = threading.Lock()
_CACHE: dict[str, Model] = {}
_DEFAULT: list[Model] = []  # the shipped model once loaded


@functools.cache
def default_model_dir() -> Path:
    """The model shipped inside the package (resolved once: every ``identify()`` call asks)."""
    return Path(__file__).resolve().parent.parent / "models" / "langid"


@dataclass(frozen=True)
class Model:
    """A loaded model: labels, weights and the feature settings it was trained with."""

    path: str
    labels: tuple[str, ...]
    weights: np.ndarray  # buckets x classes, float64 in memory (float16 on disk): both paths sum alike
    bias: np.ndarray  # classes
    orders: tuple[int, ...]
    bits: int
    words: bool
    config: dict
    morph: float = 0.0  # value of the charhash.v2 word-shape features (0: charhash.v1)
    word_model: Model | None = None
    lexicon: dict | None = None
    calibration: dict | None = None  # config "calibration": temperature per script, bias per label

    @property
    def script_lut(self) -> np.ndarray:
        """Cleaned BMP code point -> 1 + script index of ``_RANGES`` (0: none), for one-text scoring."""
        return _script_lut()

    @property
    def _calib(self) -> tuple[np.ndarray, np.ndarray]:
        """(temperature per script index, 4; bias per class) from ``calibration`` (1 and 0 without)."""
        got = self.__dict__.get("_calib_cache")
        if got is None:
            cal = self.calibration or {}
            temps = cal.get("temperature", {})
            temp = np.array([float(temps.get(s, 1.0)) for s in _SCRIPTS] + [1.0])
            bias = np.array([float(cal.get("bias", {}).get(lab, 0.0)) for lab in self.labels])
            got = self.__dict__["_calib_cache"] = (temp, bias)
        return got

    def calibrate(
        self, logits: np.ndarray, script: np.ndarray, shift: np.ndarray | None = None
    ) -> np.ndarray:
        """Raw logits (texts x classes) -> calibrated: divided by the script's temperature, plus the
        calibration bias and the prior ``shift`` (log prior ratios; see ``_priors``). In place."""
        temp, bias = self._calib
        logits /= temp[script][:, None]
        logits += bias
        if shift is not None:
            logits += shift
        return logits

    def softmax(self, logits: np.ndarray, script: np.ndarray) -> np.ndarray:
        """Calibrated logits -> probabilities over the classes the dominant script allows. In place."""
        logits[~self._mask[script]] = -np.inf
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def raw_logits(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(uncalibrated logits texts x classes, letters per script texts x 3) of a batch."""
        codes, offsets = prepare(texts)
        mats = featurize(
            codes, offsets, orders=self.orders, bits=self.bits, words=self.words, morph=self.morph
        )
        logits = mats[0] @ self.weights
        for mat in mats[1:]:
            logits += mat @ self.weights
        n_feats = sum(np.diff(mat.indptr) for mat in mats)
        logits /= np.sqrt(np.maximum(n_feats, 1))[:, None]
        logits += self.bias
        return logits, _script_counts(codes, offsets)

    def logits(
        self, texts: list[str], shift: np.ndarray | None = None, *, calibrated: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(calibrated logits, not masked; dominant-script index; letters per script) of a batch.

        One text takes a faster path (``_fast``) with the same result. ``calibrated=False``: the raw
        logits (``tag_words`` uses those: its weights were chosen on them).
        """
        if len(texts) == 1:
            from aimm_nlp.text.langid._fast_jit import logits_one

            row, one_script, one_counts = logits_one(self, texts[0], shift, calibrated=calibrated)
            return np.array([row]), np.array([one_script]), np.array([one_counts])
        logits, counts = self.raw_logits(texts)
        script = np.where(counts.sum(axis=1) > 0, counts.argmax(axis=1), len(_SCRIPTS))
        if not calibrated:
            return logits, script, counts
        return self.calibrate(logits, script, shift), script, counts

    @property
    def _mask(self) -> np.ndarray:
        """(3 scripts + 'none') x classes: which classes a dominant script allows."""
        mask = self.__dict__.get("_mask_cache")
        if mask is None:
            mask = np.ones((len(_SCRIPTS) + 1, len(self.labels)), dtype=bool)
            scripted = np.array([lab.rsplit("_", 1)[-1] in _SCRIPTS for lab in self.labels])
            for i, script in enumerate(_SCRIPTS):
                same = np.array([lab.endswith("_" + script) for lab in self.labels])
                if same.any():
                    mask[i] = same | ~scripted
            self.__dict__["_mask_cache"] = mask
        return mask

    def predict_one(self, text: str, shift: np.ndarray | None = None) -> tuple[list[float], int, int]:
        """``predict_proba`` of one text, lean (``_fast``, equal to the batch path to 1e-6):
        (probabilities as a list, script index, number of letters)."""
        from aimm_nlp.text.langid._fast_jit import predict_one

        return predict_one(self, text, shift)

    def predict_proba(
        self, texts: list[str], shift: np.ndarray | None = None, *, calibrated: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (probabilities texts x classes, dominant-script index, letters per script) for a batch.

        Script index: 0 Arab, 1 Latn, 2 Tfng, 3 none of them; letters: texts x 3 counts; ``shift``:
        log prior ratios added to the calibrated logits (``_priors.prior_shift``).
        """
        logits, script, counts = self.logits(texts, shift, calibrated=calibrated)
        return self.softmax(logits, script), script, counts


@functools.cache
def _script_lut() -> np.ndarray:
    lut = np.zeros(0x10000, dtype=np.intp)
    for j, script in enumerate(_SCRIPTS):
        for lo, hi in _RANGES[script]:
            lut[lo:hi] = j + 1
    return lut


def _script_counts(codes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Letters per script per text (texts x 3)."""
    out = np.zeros((len(offsets) - 1, len(_SCRIPTS)), dtype=np.int64)
    if len(codes) == 0:
        return out
    for j, script in enumerate(_SCRIPTS):
        hit = np.zeros(len(codes), dtype=np.int64)
        for lo, hi in _RANGES[script]:
            hit += (codes >= lo) & (codes < hi)
        out[:, j] = np.add.reduceat(hit, offsets[:-1])
    return out


def save_model(path: Path, *, labels: list[str], weights: np.ndarray, bias: np.ndarray, config: dict) -> None:
    """Write ``weights.npz`` and ``config.json`` into ``path`` (created; files replaced atomically)."""
    from aimm_nlp._io import atomic_output

    path.mkdir(parents=True, exist_ok=True)
    weights = weights.astype(np.float16)
    weights[0] = 0  # bucket 0 collects n-grams across text boundaries
    with atomic_output(path / "weights.npz", mode="wb") as fh:
        np.savez_compressed(fh, W=weights, b=bias.astype(np.float32))
    meta = {"format": "aimm_langid", "format_version": FORMAT_VERSION, "labels": labels, **config}
    with atomic_output(path / "config.json") as fh:
        json.dump(meta, fh, ensure_ascii=False, indent=2)
        fh.write("\n")


def load_model(path: str | Path | None = None) -> Model:
    """Load (and cache) the model in ``path``; ``None`` means the shipped model.

    Raises:
        ModelError: the folder is missing, is not an aimm langid model, or is corrupt.
    """
    if path is None and _DEFAULT:  # the common case, once per identify() call: no lock, no path work
        return _DEFAULT[0]
    folder = Path(path) if path is not None else default_model_dir()
    key = str(folder.resolve()) if path is not None else str(folder)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    model = _read(folder)
    with _LOCK:
        _CACHE[key] = model
        if path is None:
            _DEFAULT[:] = [model]
    return model


def _read(folder: Path) -> Model:
    hint = "pass a folder written by `aimm langid train --out DIR`"
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise ModelError(f"langid model folder {folder} {what}; {hint}")
    cfg_path, w_path = folder / "config.json", folder / "weights.npz"
    for p in (cfg_path, w_path):
        if not p.is_file():
            raise ModelError(f"{folder} is not a langid model: {p.name} is missing; {hint}")
    try:
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{cfg_path}: not valid JSON ({exc}); {hint}") from None
    if not isinstance(cfg, dict) or cfg.get("format") != "aimm_langid":
        raise ModelError(f"{cfg_path}: not an aimm langid config (no format=aimm_langid); {hint}")
    if cfg.get("format_version") != FORMAT_VERSION or cfg.get("feature_scheme") not in FEATURE_SCHEMES:
        raise ModelError(
            f"{cfg_path}: format {cfg.get('format_version')}/{cfg.get('feature_scheme')} is not supported "
            f"by this aimm_nlp (expects {FORMAT_VERSION}/{' or '.join(FEATURE_SCHEMES)}); retrain the model"
        )
    morph = 0.0
    if cfg["feature_scheme"] == "charhash.v2":
        morph = cfg.get("morph")
        if isinstance(morph, bool) or not isinstance(morph, (int, float)) or morph <= 0:
            raise ModelError(
                f"{cfg_path}: feature_scheme charhash.v2 needs a positive number `morph`; {hint}"
            )
    try:
        with np.load(w_path, allow_pickle=False) as npz:
            weights = npz["W"].astype(np.float64)
            bias = npz["b"].astype(np.float64)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{w_path}: cannot read weights ({exc}); {hint}") from None
    labels = tuple(cfg.get("labels") or ())
    bits = int(cfg.get("bits", 0))
    if weights.shape != (1 << bits, len(labels)) or bias.shape != (len(labels),) or len(labels) < 2:
        raise ModelError(
            f"{w_path}: weights {weights.shape} do not match config ({len(labels)} labels, bits={bits}); {hint}"
        )
    word_model = None
    calibration = cfg.get("calibration")
    if calibration is not None and not _valid_calibration(calibration, labels):
        raise ModelError(
            f"{cfg_path}: `calibration` must be {{'temperature': {{script: number > 0}}, 'bias': {{label: number}}, "
            f"'base_rates': {{label: number in (0, 1)}}}} over the model's labels; {hint}"
        )
    if cfg.get("word_model"):
        word_model = _read(folder / cfg["word_model"]["path"])
        if word_model.labels != labels:
            raise ModelError(f"{folder}: the word model's labels differ from the model's; retrain the model")
    lexicon = None
    if (folder / "lexicon.json").is_file():
        try:
            lexicon = json.loads((folder / "lexicon.json").read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelError(f"{folder / 'lexicon.json'}: not valid JSON ({exc})") from None
    return Model(
        path=str(folder),
        word_model=word_model,
        lexicon=lexicon,
        labels=labels,
        weights=weights,
        bias=bias,
        orders=tuple(cfg["orders"]),
        bits=bits,
        words=bool(cfg.get("words", True)),
        config=cfg,
        morph=float(morph),
        calibration=calibration,
    )


def _valid_calibration(cal: object, labels: tuple[str, ...]) -> bool:
    def numbers(d: object, keys: object, test) -> bool:
        return isinstance(d, dict) and all(
            k in keys and isinstance(v, (int, float)) and not isinstance(v, bool) and test(v)
            for k, v in d.items()
        )

    return (
        isinstance(cal, dict)
        and set(cal) <= {"temperature", "bias", "base_rates", "fitted_on"}
        and numbers(cal.get("temperature", {}), _SCRIPTS, lambda v: 0 < v < float("inf"))
        and numbers(cal.get("bias", {}), labels, lambda v: abs(v) < float("inf"))
        and numbers(cal.get("base_rates", {}), labels, lambda v: 0 < v < 1)
    )
