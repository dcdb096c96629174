"""Character classes (contents of ``[...]``) by Unicode block, with no imports.

Kept as data so every module that builds a script regex (normalize, scripts, langid, tokenization)
builds it from one source; :mod:`aimm_nlp.text.normalize` imports them from here so that a first
``normalize()`` call does not load the ``dataclasses`` machinery of :mod:`aimm_nlp.text.scripts`.
"""

__all__ = ["ARAB_CLASS", "LATN_CLASS", "MARKS_CLASS", "TFNG_CLASS"]

ARAB_CLASS = "\u0600-\u06ff\u0750-\u077f\u0870-\u089f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc"
LATN_CLASS = (
    "A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0250-\u02af"
    "\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uab30-\uab6f\ufb00-\ufb06\uff21-\uff3a\uff41-\uff5a"
)
TFNG_CLASS = "\u2d30-\u2d7f"
MARKS_CLASS = "\u0300-\u036f"  # combining marks: they join the run before them
