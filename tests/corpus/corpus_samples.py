"""Sample documents shared by the corpus tests (real Moroccan text plus edge cases)."""

#: Real-looking documents: Darija in both scripts, MSA, French, Tifinagh, code-switching,
#: plus the edge cases every table must hold ("", one character, emoji, elongation).
DOCS = [
    ("واش نتا مزيان؟ الله يعطيك الصحة", "ary_Arab"),
    ("salam labas 3lik a khoya, ach khbarek?", "ary_Latn"),
    ("ana ghadi l réunion demain, 3afak sift liya le document", "ary_Latn"),
    ("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ ⵎⴰⵏⵣⴰⴽⵉⵏ", "zgh_Tfng"),
    ("إن الكتاب على الطاولة في المكتبة", "arb_Arab"),
    ("Le film était vraiment magnifique hier soir.", "fra_Latn"),
    ("", None),
    ("و", "ary_Arab"),
    ("😂😂😂", None),
    ("مزيااااان بزااااف هاد الفيلم", "ary_Arab"),
]
