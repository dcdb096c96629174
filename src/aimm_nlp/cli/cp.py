"""``aimm cp [NAME [DEST]]``: copy a shipped example config (list them when no name is given)."""

from __future__ import annotations

import argparse

ORDER = 85


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "cp",
        help="copy a shipped example config (list them without NAME)",
        description="Copy one of the YAML configs shipped in aimm_nlp/configs/ to edit and run it.",
        epilog="example: aimm cp ary_sentiment my_sentiment.yaml && aimm finetune my_sentiment.yaml",
    )
    p.add_argument("name", nargs="?", help="config name, e.g. ary_sentiment or finetune/ary_sentiment")
    p.add_argument(
        "dest",
        nargs="?",
        help="file or folder to write (a trailing / makes the folder; default: ./NAME.yaml)",
    )
    p.add_argument(
        "--overwrite",
        "--force",
        dest="force",
        action="store_true",
        help="replace DEST if it exists (only that file; nothing else in its folder is touched)",
    )
    p.set_defaults(func=run)


def shipped_configs() -> dict[str, object]:
    """Map ``area/name`` to each shipped YAML (an importlib.resources Traversable)."""
    from importlib.resources import files

    root = files("aimm_nlp") / "configs"
    out: dict[str, object] = {}
    if not root.is_dir():
        return out
    for area in sorted(root.iterdir(), key=lambda p: p.name):
        if area.is_dir():
            for f in sorted(area.iterdir(), key=lambda p: p.name):
                if f.name.endswith((".yaml", ".yml")):
                    out[f"{area.name}/{f.name.rsplit('.', 1)[0]}"] = f
    return out


def run(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from aimm_nlp._io import atomic_output
    from aimm_nlp._registry import did_you_mean
    from aimm_nlp.errors import ConfigError, UnknownNameError

    configs = shipped_configs()
    if not args.name:
        for key, f in configs.items():
            first = f.read_text(encoding="utf-8").splitlines()[:1]
            print(f"{key:<36} {first[0].lstrip('# ') if first else ''}")
        return 0
    name = args.name.removesuffix(".yaml")
    matches = [k for k in configs if k == name or k.split("/", 1)[1] == name]
    if len(matches) != 1:
        short = [k.split("/", 1)[1] for k in configs]
        if matches:
            raise ConfigError(f"config name {name!r} is ambiguous: {', '.join(matches)}; give area/name")
        raise UnknownNameError(
            f"unknown config {name!r}{did_you_mean(name, short)}; list them with `aimm cp`",
            name=name,
            choices=short,
        )
    src = configs[matches[0]]
    file_name = f"{matches[0].split('/', 1)[1]}.yaml"
    dest = Path(args.dest or file_name)
    if args.dest and args.dest.endswith(("/", os.sep)):  # a folder, made if missing
        dest.mkdir(parents=True, exist_ok=True)
    if dest.is_dir():
        dest = dest / file_name
    if dest.exists() and not args.force:
        raise ConfigError(
            f"{dest} already exists; pass --force (or --overwrite) to replace it or choose another DEST"
        )
    with atomic_output(dest) as fh:
        fh.write(src.read_text(encoding="utf-8"))
    print(f"wrote {dest}")
    return 0
