"""``aimm ls``: list registered names (presets, switches, corpora, tasks, transliteration pairs).

Imports only the public faces of the subpackages (``aimm_nlp.text``, ``aimm_nlp.corpus``,
``aimm_nlp.evaluation``, ``aimm_nlp.text.translit``).
"""

from __future__ import annotations

import argparse

KINDS = ("presets", "switches", "corpora", "tasks", "translit")


ORDER = 90


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ls", help="list presets, switches and other registered names")
    p.add_argument("kind", choices=KINDS, help="what to list")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aimm_nlp.text import SWITCHES, describe_preset, preset_names

    if args.kind == "presets":
        for name in preset_names():
            info = describe_preset(name)
            print(f"{name:<14} [{','.join(info['scripts'])}] {info['description']}")
    elif args.kind == "switches":
        for name, doc in SWITCHES.items():
            print(f"{name:<20} {doc}")
    elif args.kind == "corpora":
        from aimm_nlp.corpus import corpus_info, corpus_names

        for name in corpus_names():
            info = corpus_info(name)
            flags = " [non-commercial]" * info.non_commercial + " [evaluation only]" * info.evaluation_only
            print(f"{name:<20} {info.license:<14} {','.join(info.languages)}{flags}")
    elif args.kind == "tasks":
        from aimm_nlp.evaluation import list_tasks, load_task

        for name in list_tasks():
            task = load_task(name, check_data=False)
            print(f"{name:<28} {task.type:<22} {task.lang or '-'}")
    elif args.kind == "translit":
        from aimm_nlp.text.translit import supported_pairs

        for src, dst in supported_pairs():
            print(f"{src:<16} -> {dst}")
    return 0
