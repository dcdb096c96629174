"""A tiny multilingual corpus (Darija in both scripts, MSA, French, Tifinagh) and a trained tokenizer,
shared by tests/tokenization and the tokenizer CLI tests in tests/cli."""

from __future__ import annotations

CORPUS = {
    "ary_Arab": [
        "واش نتا مزيان؟ الله يعطيك الصحة",
        "كنبغي نمشي للدار دابا، الجو زوين بزاف",
        "شنو كدير اليوم؟ ما عندي والو نديرو",
        "واااش بصح هادشي؟ مزياااان بزاف",
        "الدراري مشاو للمدرسة فالصباح بكري",
        "خويا كيخدم فكازا و ختي فالرباط",
    ],
    "ary_Latn": [
        "3lach ma jitich lbareh? kont kantsnak",
        "salam khouya, labas 3lik? ana mzyan l7amdolilah",
        "wach nta f dar wla barra? 9olli daba",
        "bzzzaaaf dyal nass ja f 2024 l mhrajan",
        "7na ghadi nmchiw l bhar ghedda inchallah",
        "had lmakla bnina bzaf, chokran a sa7bi",
    ],
    "arb_Arab": [
        "ذهب الطلاب إلى المكتبة لقراءة الكتب الجديدة",
        "أعلنت الحكومة عن خطة جديدة لدعم التعليم",
        "يعتبر المغرب بلدا غنيا بتاريخه وثقافته",
    ],
    "fra_Latn": [
        "Je suis à Rabat aujourd'hui, il fait très beau.",
        "Nous avons visité la médina de Fès en 2024.",
        "L'équipe a gagné le match hier soir à Casablanca.",
    ],
    "zgh_Tfng": [
        "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ ⵎⴰⵏⵣⴰⴽⵉⵏ",
        "ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴳⴰ ⵜⵓⵜⵍⴰⵢⵜ ⵜⴰⵏⴰⵎⵓⵔⵜ",
        "ⵉⴷⴷⴰ ⵓⵔⴳⴰⵣ ⵖⵔ ⵜⵎⴷⵉⵏⵜ ⵏ ⵔⵔⴱⴰⵟ",
    ],
}
# Round-trip table: "", one character, emoji, elongation, code-switching, odd spacing.
ROUNDTRIP = [
    "",
    "و",
    "a",
    "3lach ma jitich?",
    "واااش بصح هادشي؟",
    "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ",
    "salam 😀 واش نتا مزيان؟ ⵜⴰⵎⴰⵣⵉⵖⵜ",
    "  deux  espaces\tet tab\n",
    "مـــــزيان bzzzaaaf 2024",
]


def texts(repeat: int = 8) -> list[tuple[str, str]]:
    """``(text, lang)`` pairs, each text repeated so merges have counts."""
    return [(t, lang) for lang, items in CORPUS.items() for t in items] * repeat


def train_bpe(folder):
    """The shared small BPE tokenizer (vocabulary 2500) trained on :func:`texts` into ``folder/bpe``."""
    from aimm_nlp.tokenization import train_tokenizer

    return train_tokenizer(texts(), out_dir=folder / "bpe", vocab_size=2500).path
