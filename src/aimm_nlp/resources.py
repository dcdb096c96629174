"""Data that ships with aimm_nlp, and the shared data folder: the same answer in a wheel and a checkout.

The package carries two small, hand-written data folders (Apache-2.0, written by the aimm_nlp
developers): ``morocco_mini/`` (the ``morocco-mini`` evaluation sets, see its README) and ``samples/``
(``darija_mixed.txt``, the README's quick-start input). In an installed wheel they are package data
(``aimm_nlp/data/``); in a source checkout they are the repository's ``data/``. Notebooks, examples and
your own scripts reach them with :func:`path`, so they work from ``pip install aimm-nlp`` as from a clone.

Large public sets are never shipped: :func:`shared_root` is the folder they are read from
(``$AIMM_SHARED``, else ``shared/`` beside a repository checkout).

Examples:
    >>> from aimm_nlp import resources
    >>> tsv = resources.path("morocco_mini/sentiment.tsv")
    >>> tsv.read_text(encoding="utf-8").splitlines()[0].split("\\t")
    ['id', 'text', 'label', 'script']
    >>> "samples/darija_mixed.txt" in resources.list_resources()
    True
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from aimm_nlp import _paths

__all__ = ["list_resources", "path", "shared_root"]

SHIPPED = ("morocco_mini", "samples")  # the folders of data/ that the wheel carries (pyproject.toml)


def list_resources() -> list[str]:
    """Every shipped data file, as the ``/``-separated names :func:`path` takes, sorted."""
    root = _paths.data_root()
    return sorted(
        p.relative_to(root).as_posix() for top in SHIPPED for p in (root / top).rglob("*") if p.is_file()
    )


def path(name: str) -> Path:
    """The absolute path of a shipped data file or folder.

    Args:
        name: a ``/``-separated name under the shipped data, e.g. ``"morocco_mini/sentiment.tsv"``,
            ``"morocco_mini/text"`` (a folder) or ``"samples/darija_mixed.txt"``; see
            :func:`list_resources`.

    Returns:
        The path inside the installed package (or the checkout's ``data/``); it exists.

    Raises:
        UnknownNameError: ``name`` is empty, absolute, leaves the data folder (``..``) or names nothing
            shipped; the message lists the shipped folders and the closest file name.
    """
    from aimm_nlp._registry import did_you_mean
    from aimm_nlp.errors import UnknownNameError

    parts = PurePosixPath(str(name).replace("\\", "/")).parts
    root = _paths.data_root()
    found = root.joinpath(*parts) if parts else None
    if not parts or parts[0] not in SHIPPED or ".." in parts or found is None or not found.exists():
        raise UnknownNameError(
            f"no shipped resource {name!r}{did_you_mean(str(name), list_resources())}: names start with one "
            f"of {', '.join(s + '/' for s in SHIPPED)} (aimm_nlp.resources.list_resources() lists every file)",
            name=str(name),
            choices=list(SHIPPED),
        )
    return found.resolve()


def shared_root() -> Path:
    """The folder of the large public data sets, absolute: ``$AIMM_SHARED``, else ``shared/`` beside the
    repository checkout. It may not exist (e.g. in a wheel install without ``$AIMM_SHARED``): test
    ``shared_root().is_dir()`` and skip what needs it."""
    return _paths.shared_root().resolve()
