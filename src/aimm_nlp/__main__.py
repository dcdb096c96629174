"""``python -m aimm_nlp`` is the ``aimm`` command."""

from aimm_nlp.cli import main

raise SystemExit(main())
