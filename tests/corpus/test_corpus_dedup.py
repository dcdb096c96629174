"""clean(dedup="near"): the decision follows the true Jaccard of character 5-grams, case-folded.

The oracle here is independent of ``aimm_nlp.corpus.dedup``: it rebuilds the documented
shingles (5-grams of the case-folded text, punctuation/emoji/spacing runs -> one space)
and computes exact Jaccard similarities, then replays the documented rule (a document is a
near-duplicate iff it reaches the threshold with an earlier *kept* document).

Each base document gets a variant just above the threshold (removed) and one just below
it (kept: LSH proposes some of these as candidates, and only the verification step rejects
them). Margins: MinHash with 128 permutations estimates J with sd sqrt(J(1-J)/128) <= 0.044,
so every planted pair sits at least 3.4 sd from the threshold on its side (kept <= threshold
- 0.15, removed >= threshold + 0.1 at 0.8 and + 0.15 at 0.6). Signatures use the fixed seed
of dedup.py (no seed to choose here), so the result is deterministic; the margins keep it so
when the texts or the permutations change.
"""

from __future__ import annotations

import pytest
import regex
from datasets import Dataset

from aimm_nlp.corpus import clean

_NOT_WORD = regex.compile(r"[\W_]+")

#: (lang, base document, another ending for it): Darija in both scripts, MSA, French, code-switching,
#: Tifinagh and Amazigh in Latin script. Bases are mutually far apart (checked by the oracle).
BASES = [
    (
        "ary_Arab",
        "واش نتا مزيان؟ الله يعطيك الصحة على هاد الخدمة، بصراحة عجبتني بزاف وغادي نرجع ليكم مرة أخرى مع العائلة ديالي",
        "ولكن الثمن غالي شوية والسربيس بطيء، خاصكم تزيدو شي واحد فالكاشة",
    ),
    (
        "ary_Arab",
        "كنبغي نمشي للدار دابا حيت الجو زوين بزاف والدراري كيتسناوني باش نتغداو جميع ونشوفو الماتش ديال الوداد",
        "ولكن الطوبيس ما جاش والطريق عامرة بالطوموبيلات، غادي نتعطل شي ساعة",
    ),
    (
        "ary_Arab",
        "شنو كدير اليوم فالعشية؟ ما عندي والو نديرو فالدار، يالاه نخرجو نتمشاو شوية فالكورنيش ونشربو أتاي",
        "راه كاين الشتا برا وأنا عيان من الخدمة، خليها لغدا إلا بغيتي",
    ),
    (
        "ary_Arab",
        "الدراري مشاو للمدرسة فالصباح بكري والمعلم عطاهم الفرض ديال الرياضيات، ولكن حتى واحد ما فهم والو",
        "ومن بعد رجعو للدار فرحانين حيت الأستاذة خلاتهم يلعبو فالساحة",
    ),
    (
        "ary_Latn",
        "salam khouya labas 3lik? ana mzyan l7amdolilah, ghir chwiya dyal l3ya9a mn lkhedma, ghedda nchoufek f l9ahwa",
        "w jib m3ak dak lktab li 9olti liya 3lih nhar sebt f darkom",
    ),
    (
        "ary_Latn",
        "wach nta f dar wla barra? 9olli daba 7it bghina nmchiw l bhar m3a drari w n3omo chwiya 9bel ma tghreb chems",
        "ila ma jitich ghadi nmchi bo7di, ma nb9ach ntsna 7ta wa7ed",
    ),
    (
        "ary_Latn",
        "had lmakla bnina bzaf, chokran a sa7bi 3la l3rda, tajine dyal l7out kan wa3er w l7arira 7ta hiya ghzala",
        "walakin lmousi9a kant 3alia bzaf w ma 9drtch nhder m3a 3ammi",
    ),
    (
        "ary_Latn",
        "3lach ma jitich lbareh? kont kantsnak f la gare 7ta l 10 dyal lil w nta ma jawbtich 3la telephone",
        "safi ma kayn mouchkil, lmra jaya nji ana 3ndek l fes",
    ),
    (
        "ary_Latn",
        "ana ghadi l réunion demain f casa, 3afak sift liya le document w les chiffres dyal trimestre li fat",
        "parce que le directeur bgha ychouf kolchi 9bel vendredi f sba7",
    ),
    (
        "fra_Latn",
        "Je suis à Rabat aujourd'hui, il fait très beau et la médina est pleine de touristes venus pour le festival",
        "mais les prix des hôtels ont doublé depuis la semaine dernière, c'est fou",
    ),
    (
        "fra_Latn",
        "L'équipe a gagné le match hier soir à Casablanca devant un public en feu, les supporters chantaient jusqu'à minuit",
        "alors que l'entraîneur se plaignait encore de l'arbitrage dans la presse",
    ),
    (
        "arb_Arab",
        "أعلنت الحكومة عن خطة جديدة لدعم التعليم في القرى والمناطق الجبلية خلال السنوات الخمس المقبلة بميزانية كبيرة",
        "غير أن النقابات طالبت بالحوار قبل تطبيق أي إصلاح على الأساتذة",
    ),
    (
        "arb_Arab",
        "ذهب الطلاب إلى المكتبة لقراءة الكتب الجديدة التي وصلت من معرض الكتاب في الدار البيضاء هذا الأسبوع",
        "ثم عادوا إلى الجامعة لحضور محاضرة التاريخ مع الأستاذ",
    ),
    (
        "zgh_Tfng",
        "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ ⵎⴰⵏⵣⴰⴽⵉⵏ? ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴳⴰ ⵜⵓⵜⵍⴰⵢⵜ ⵜⴰⵏⴰⵎⵓⵔⵜ ⴳ ⵍⵎⵖⵔⵉⴱ, ⵉⵍⴰⵇ ⴰⴷ ⵜⵜⵢⴰⵍⵎⴰⴷ ⴳ ⵜⵉⵏⵎⵍⴰ ⴰⴽⴽⵯ ⴷ ⵜⵙⴷⴰⵡⵉⵢⵉⵏ",
        "ⵏⵜⵜⴰⵏ ⴰⵢⴷ ⵉⵙⵙⵏⵜⵍⵏ ⵜⵓⴷⵔⵜ ⵏ ⵉⵎⴰⵣⵉⵖⵏ ⴳ ⵉⴷⵔⴰⵔ",
    ),
    (
        "zgh_Tfng",
        "ⵉⴷⴷⴰ ⵓⵔⴳⴰⵣ ⵖⵔ ⵜⵎⴷⵉⵏⵜ ⵏ ⵔⵔⴱⴰⵟ ⴰⴷ ⵉⵙⵖ ⴰⵖⵔⵓⵎ ⴷ ⵓⴽⵙⵓⵎ ⵉ ⵜⴰⵡⵊⴰ ⵏⵏⵙ, ⵉⵔⵡⵍ ⵙ ⵜⵎⴰⵣⵉⵔⵜ ⴷⵖⵉ ⵙ ⵜⵣⵡⵓⵔⵉ",
        "ⵜⴰⵎⵖⴰⵔⵜ ⵏⵏⵙ ⵜⵇⵇⵉⵎ ⴳ ⵜⴰⴷⴷⴰⵔⵜ ⴷ ⵉⴼⵔⵅⴰⵏ",
    ),
    (
        "ber_Latn",
        "azul fellawen, tamaziɣt tga tutlayt tanamurt g lmeɣrib, ilaq ad ttyalmad g tinmal akkw d tesdawiyin",
        "nekk riɣ ad lmdeɣ tira s tifinaɣ zund imeqqranen inu",
    ),
]


def shingles(text: str) -> set[str]:
    """The documented dedup shingles, rebuilt here so the oracle does not share the code under test."""
    core = " ".join(_NOT_WORD.sub(" ", text.casefold()).split())
    return {core[i : i + 5] for i in range(max(1, len(core) - 4))}


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def variant(base: str, ending: str, lo: float, hi: float) -> str:
    """``base``'s first words followed by ``ending``'s first words, with lo <= J(base, variant) <= hi."""
    words, tail = base.split(), ending.split()
    for k in range(len(words), 0, -1):
        for m in range(1, len(tail) + 1):
            text = " ".join(words[:k] + tail[:m])
            if lo <= jaccard(base, text) <= hi:
                return text
    raise AssertionError(f"no variant of {base!r} has Jaccard in [{lo}, {hi}]")


def expected_removed(docs: list[str], *, keep_max: float, remove_min: float) -> set[int]:
    """Replay the documented rule on true Jaccard; every document must fall clearly on one side."""
    kept: list[str] = []
    removed = set()
    for i, doc in enumerate(docs):
        best = max((jaccard(doc, k) for k in kept), default=0.0)
        assert best >= remove_min or best <= keep_max, f"test data: doc {i} has J={best:.3f} in the grey zone"
        if best >= remove_min:
            removed.add(i)
        else:
            kept.append(doc)
    return removed


def run_clean(docs: list[str], langs: list[str], **options) -> tuple[set[int], dict[str, int]]:
    """Removed indices and step counts; the streaming path must agree with the in-memory one."""
    ds = Dataset.from_dict({"text": docs, "lang": langs, "source": [str(i) for i in range(len(docs))]})
    out, report = clean(ds, quality=None, dedup="near", **options)
    lazy, lazy_report = clean(ds.to_iterable_dataset(), quality=None, dedup="near", **options)
    assert list(lazy) == out.to_list() and lazy_report.to_dict() == report.to_dict()
    removed = set(range(len(docs))) - {int(s) for s in out["source"]}
    return removed, {s.name: s.removed for s in report.steps}


@pytest.mark.parametrize(
    ("threshold", "keep_band", "remove_band"),
    [
        (0.8, (0.5, 0.65), (0.9, 0.97)),  # the default threshold
        (0.6, (0.3, 0.45), (0.75, 0.85)),  # a looser one: 0.75-0.85 copies now go too
    ],
)
def test_near_dedup_decision_follows_true_jaccard(
    threshold: float, keep_band: tuple[float, float], remove_band: tuple[float, float]
) -> None:
    docs, langs, above = [], [], set()
    for lang, base, ending in BASES:
        docs += [base, variant(base, ending, *remove_band), variant(base, ending, *keep_band)]
        langs += [lang] * 3
        above.add(len(docs) - 2)
    expected = expected_removed(docs, keep_max=keep_band[1], remove_min=remove_band[0])
    assert expected == above  # the planted structure holds: only the close variants are duplicates
    removed, counts = run_clean(docs, langs, normalize=None, near_threshold=threshold)
    assert sorted(removed) == sorted(expected)
    assert counts["near_dup"] == len(BASES) and counts["exact_dup"] == 0


#: (lang, original, case-changed copy): dedup documents case-folded shingles, so these are duplicates
#: (J = 1.0), and the default normalizer keeps case, so exact dedup does not see them.
CASE_COPIES = [
    (
        "ary_Latn",
        "salam khouya labas 3lik? ana mzyan l7amdolilah, ghir chwiya dyal l3ya9a mn lkhedma",
        "SALAM KHOUYA LABAS 3LIK? ANA MZYAN L7AMDOLILAH, GHIR CHWIYA DYAL L3YA9A MN LKHEDMA",
    ),
    (
        "ary_Latn",
        "wach nta f dar wla barra? 9olli daba 7it bghina nmchiw l bhar m3a drari",
        "Wach Nta F Dar Wla Barra? 9olli Daba 7it Bghina Nmchiw L Bhar M3a Drari",
    ),
    (
        "ary_Latn",
        "chokran bzaf a sa7bi, lmakla kant bnina w tajine dyal l7out kan wa3er",
        "CHOKRAN BZAF A SA7BI!!! LMAKLA KANT BNINA W TAJINE DYAL L7OUT KAN WA3ER 😂😂",
    ),
    (
        "fra_Latn",
        "Je suis à Rabat aujourd'hui, il fait très beau et la médina est pleine de touristes",
        "JE SUIS À RABAT AUJOURD'HUI, IL FAIT TRÈS BEAU ET LA MÉDINA EST PLEINE DE TOURISTES",
    ),
    (
        "ary_Arab",
        "واش غادي تجي l réunion demain? 3afak sift liya le document dyal les chiffres",
        "واش غادي تجي L RÉUNION DEMAIN? 3AFAK SIFT LIYA LE DOCUMENT DYAL LES CHIFFRES",
    ),
    (
        "ber_Latn",
        "azul fellawen, tamaziɣt tga tutlayt tanamurt g lmeɣrib, ilaq ad ttyalmad g tinmal",
        "AZUL FELLAWEN, TAMAZIƔT TGA TUTLAYT TANAMURT G LMEƔRIB, ILAQ AD TTYALMAD G TINMAL",
    ),
]


@pytest.mark.parametrize(
    ("lang", "original", "copy"),
    CASE_COPIES,
    ids=["caps", "title", "shout", "fra", "code_switch", "ber_latn"],
)
def test_case_changed_copy_is_a_near_duplicate(lang: str, original: str, copy: str) -> None:
    other = "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ ⵎⴰⵏⵣⴰⴽⵉⵏ? ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴳⴰ ⵜⵓⵜⵍⴰⵢⵜ ⵜⴰⵏⴰⵎⵓⵔⵜ ⴳ ⵍⵎⵖⵔⵉⴱ"
    assert jaccard(original, copy) == 1.0 and original != copy
    removed, counts = run_clean([original, other, copy], [lang, "zgh_Tfng", lang])
    assert removed == {2}
    assert counts["near_dup"] == 1 and counts["exact_dup"] == 0
