/* aimm_nlp.text.translit._ckernels: the ranked Arabizi search and the keep-foreign checks in C.
 *
 * Built when the package is installed (hatch_build.py; optional: without a C compiler the same
 * results come from Python, numpy or numba). Why C of our own: numba's import and the load of its
 * cached code cost ~1 s per process, and ~10 s to compile in a new environment, more than the whole
 * run of a rule-only peer on a 0.5 MB file; this module loads in a millisecond.
 *
 * Search(tables, lm, vocab, consonants, max_len, lm_weight, vocab_bonus, beam)
 *     .best_many(words, lowered) -> list[str | None]
 *   rank_rules(word, k=1)'s spelling of each word (_rules.py), the search of _jit_kernel.best_many:
 *   the same option order, the same beam (a stable sort), the same merge of equal outputs, the same
 *   floating-point sums in the same order. The character model is walked as a state machine (a
 *   state is a context of the model, the longest suffix of a hypothesis's context that is one; see
 *   _jit_kernel.transition) whose transitions are computed on first use, not all at load.
 *   None: a word the arrays cannot hold (empty, over 64 letters, another length in lowercase, a
 *   layer over CAP hypotheses); the caller ranks it in Python.
 *
 * Ratio(foreign_lm, arabizi_lm).totals(words) -> list[float]
 *   Per lowered word, the sum over its characters (BOS + word + EOS) of
 *   foreign.score(ctx, ch) - arabizi.score(ctx, ch), divided by len(word) + 1: ForeignDetector.llr
 *   before its round(, 4) (_foreign.py), summed in the same order.
 *
 * Lexical(darija_words, foreign_words, accents, min_len).kinds(lowered) -> bytes
 *   ForeignDetector._lexical's verdict of each lowered word, as the index of _foreign._BY_KIND
 *   (0: only the ratio can tell): an Arabizi digit next to an ASCII letter, the Darija lexicon, an
 *   accent, the foreign lexicon (or the word after its first apostrophe), shorter than min_len.
 *
 * Hash tables: open addressing over 64-bit polynomial hashes of the keys' code points
 * (h = h * 1000003 + code + 1, modulo 2^64, as _ngram_np._hash), 0 = an empty slot. Two keys of a
 * table with one hash raise ValueError when it is built (the caller then uses Python). A query
 * colliding with a key it is not (about 2^-64) is not checked, as in the numba kernels. The n-gram
 * tables have a bit filter in front (16 bits a key): most probes for an n-gram the model lacks stop there.
 * Compiled with -ffp-contract=off: no fused multiply-add, the sums are Python's.
 *
 * One file of ~1,100 lines, sections in this order: hash tables, n-gram model, Ratio, Lexical, Search,
 * module. It is one extension module, compiled by one command of the build hook; the three kernels share
 * the tables and the n-gram walk, and split files would need headers or a second module for that.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef AIMM_SOURCE_SHA256 /* set by the build hook: _native.py loads no module built from other source */
#define AIMM_SOURCE_SHA256 ""
#endif
#define HP 1000003ULL
#define GOLD 0x9E3779B97F4A7C15ULL
#define CAP 256     /* hypotheses per layer, as _jit_kernel.CAP */
#define DBITS 9     /* merge table per layer: 2 x CAP slots */
#define LONGEST 64  /* longest word searched */
#define KEEP_MAX 8  /* longest context (order - 1) */
#define SHADDA 0x651
#define NO_SYMBOL 0x110000 /* beyond Unicode: in no key of a model */
#define TAB_NAMES 4        /* initial, final, before_geminate, graphemes */

/* ------------------------------------------------------------------ hash tables */

typedef struct {
    uint64_t key; /* 0: an empty slot */
    double f;     /* the key's float (log P, back-off weight, bonus scale) */
    int64_t i;    /* the key's int (a state id, a rule key's index) */
} Entry;          /* key and values side by side: one cache line per probe */

typedef struct {
    Entry *e;
    int bits;
    uint64_t mask;
} Table;

static int table_init(Table *t, Py_ssize_t n) {
    int bits = 4;
    while (((Py_ssize_t)1 << bits) < 2 * n + 2) bits++;
    size_t size = (size_t)1 << bits;
    t->bits = bits;
    t->mask = size - 1;
    t->e = calloc(size, sizeof(Entry));
    if (!t->e) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void table_free(Table *t) {
    free(t->e);
    t->e = NULL;
}

/* The entry of `h`, or NULL. */
static inline const Entry *table_find(const Table *t, uint64_t h) {
    uint64_t slot = (h * GOLD) >> (64 - t->bits);
    while (t->e[slot].key) {
        if (t->e[slot].key == h) return t->e + slot;
        slot = (slot + 1) & t->mask;
    }
    return NULL;
}

/* A new key's entry; NULL with ValueError where the hash is 0 or already a key's. */
static Entry *table_add(Table *t, uint64_t h) {
    if (h == 0) {
        PyErr_SetString(PyExc_ValueError, "a key hashes to 0");
        return NULL;
    }
    uint64_t slot = (h * GOLD) >> (64 - t->bits);
    while (t->e[slot].key) {
        if (t->e[slot].key == h) {
            PyErr_SetString(PyExc_ValueError, "two keys share a hash");
            return NULL;
        }
        slot = (slot + 1) & t->mask;
    }
    t->e[slot].key = h;
    return t->e + slot;
}

static uint64_t hash_str(PyObject *s) {
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    uint64_t h = 0;
    for (Py_ssize_t i = 0; i < n; i++) h = h * HP + (uint64_t)PyUnicode_READ(kind, data, i) + 1;
    return h;
}

static uint64_t hash_codes(const uint32_t *c, Py_ssize_t n) {
    uint64_t h = 0;
    for (Py_ssize_t i = 0; i < n; i++) h = h * HP + (uint64_t)c[i] + 1;
    return h;
}

/* ------------------------------------------------------------------ n-gram model */

typedef struct {
    uint64_t *filter; /* one bit per n-gram's hash (16 bits a key): most misses cost no probe of logp */
    int fbits;
    Table logp; /* n-gram -> log P */
    Table bow;  /* context -> back-off weight (ivals: the context's state id, 1..) */
    double floor;
    int keep;   /* order - 1 */
} Lm;

/* Fill a table from a dict str -> float; with `ids`, each key's ivals is its 1-based order. */
static int fill_floats(Table *t, PyObject *dict, int ids) {
    if (!PyDict_Check(dict)) {
        PyErr_SetString(PyExc_TypeError, "expected a dict of str -> float");
        return -1;
    }
    if (table_init(t, PyDict_GET_SIZE(dict)) < 0) return -1;
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    int64_t id = 0;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        if (!PyUnicode_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "expected str keys");
            return -1;
        }
        double v = PyFloat_AsDouble(value);
        if (v == -1.0 && PyErr_Occurred()) return -1;
        Entry *entry = table_add(t, hash_str(key));
        if (!entry) return -1;
        entry->f = v;
        entry->i = ids ? ++id : 0;
    }
    return 0;
}

#define GOLD2 0xC2B2AE3D27D4EB4FULL /* the filter's multiplier: other bits of the hash than the table's */

static int fill_filter(Lm *lm) {
    int bits = 6;
    while ((uint64_t)1 << bits < 16 * (lm->logp.mask + 1) / 2) bits++;
    lm->fbits = bits;
    lm->filter = calloc(((size_t)1 << bits) / 64, sizeof(uint64_t));
    if (!lm->filter) {
        PyErr_NoMemory();
        return -1;
    }
    for (uint64_t slot = 0; slot <= lm->logp.mask; slot++) {
        uint64_t h = lm->logp.e[slot].key;
        if (h) {
            uint64_t b = (h * GOLD2) >> (64 - bits);
            lm->filter[b >> 6] |= (uint64_t)1 << (b & 63);
        }
    }
    return 0;
}

/* logp's entry of `h`, or NULL (the filter first). */
static inline const Entry *ngram(const Lm *lm, uint64_t h) {
    uint64_t b = (h * GOLD2) >> (64 - lm->fbits);
    if (!((lm->filter[b >> 6] >> (b & 63)) & 1)) return NULL;
    return table_find(&lm->logp, h);
}

/* Read an NgramTables (order, logp, bow, floor attributes) into `lm`. */
static int lm_init(Lm *lm, PyObject *tables) {
    memset(lm, 0, sizeof(Lm));
    PyObject *order = PyObject_GetAttrString(tables, "order");
    PyObject *logp = order ? PyObject_GetAttrString(tables, "logp") : NULL;
    PyObject *bow = logp ? PyObject_GetAttrString(tables, "bow") : NULL;
    PyObject *flo = bow ? PyObject_GetAttrString(tables, "floor") : NULL;
    int rc = -1;
    if (flo) {
        long o = PyLong_AsLong(order);
        lm->floor = PyFloat_AsDouble(flo);
        if (!PyErr_Occurred()) {
            if (o < 1 || o - 1 > KEEP_MAX) {
                PyErr_SetString(PyExc_ValueError, "the model's order is out of range (1-9)");
            } else {
                lm->keep = (int)o - 1;
                if (fill_floats(&lm->logp, logp, 0) == 0 && fill_floats(&lm->bow, bow, 1) == 0 &&
                    fill_filter(lm) == 0)
                    rc = 0;
            }
        }
    }
    Py_XDECREF(order);
    Py_XDECREF(logp);
    Py_XDECREF(bow);
    Py_XDECREF(flo);
    return rc;
}

static void lm_free(Lm *lm) {
    free(lm->filter);
    lm->filter = NULL;
    table_free(&lm->logp);
    table_free(&lm->bow);
}

/* NgramTables.score(ctx, sym) for a context of n <= keep codes: the same back-off walk, the same sum. */
static double lm_score(const Lm *lm, const uint32_t *ctx, int n, uint32_t sym) {
    uint64_t suffix[KEEP_MAX + 2];
    uint64_t power = 1;
    suffix[n] = 0;
    for (int j = n - 1; j >= 0; j--) {
        suffix[j] = ((uint64_t)ctx[j] + 1) * power + suffix[j + 1];
        power *= HP;
    }
    double acc = 0.0;
    for (int j = 0; j <= n; j++) {
        const Entry *hit = ngram(lm, suffix[j] * HP + (uint64_t)sym + 1);
        if (hit) {
            acc += hit->f;
            break;
        }
        if (j == n) {
            acc += lm->floor;
            break;
        }
        hit = table_find(&lm->bow, suffix[j]);
        acc += hit ? hit->f : 0.0;
    }
    return acc;
}

/* ------------------------------------------------------------------ Ratio */

typedef struct {
    PyObject_HEAD
    Lm foreign, arabizi;
} Ratio;

static void Ratio_dealloc(Ratio *self) {
    lm_free(&self->foreign);
    lm_free(&self->arabizi);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Ratio_init(Ratio *self, PyObject *args, PyObject *kwds) {
    PyObject *f, *a;
    if (!PyArg_ParseTuple(args, "OO", &f, &a)) return -1;
    lm_free(&self->foreign);
    lm_free(&self->arabizi);
    if (lm_init(&self->foreign, f) < 0 || lm_init(&self->arabizi, a) < 0) return -1;
    if (self->foreign.keep != self->arabizi.keep) {
        PyErr_SetString(PyExc_ValueError, "the two models differ in order");
        return -1;
    }
    return 0;
}

static PyObject *Ratio_totals(Ratio *self, PyObject *words) {
    if (!PyList_Check(words)) {
        PyErr_SetString(PyExc_TypeError, "expected a list of str");
        return NULL;
    }
    Py_ssize_t nw = PyList_GET_SIZE(words);
    PyObject *out = PyList_New(nw);
    if (!out) return NULL;
    int keep = self->foreign.keep;
    uint32_t *seq = NULL;
    Py_ssize_t room = 0;
    for (Py_ssize_t w = 0; w < nw; w++) {
        PyObject *word = PyList_GET_ITEM(words, w);
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "expected a list of str");
            goto fail;
        }
        Py_ssize_t n = PyUnicode_GET_LENGTH(word);
        if (n + 2 > room) {
            room = 2 * (n + 2);
            uint32_t *grown = realloc(seq, room * sizeof(uint32_t));
            if (!grown) {
                PyErr_NoMemory();
                goto fail;
            }
            seq = grown;
        }
        int kind = PyUnicode_KIND(word);
        const void *data = PyUnicode_DATA(word);
        seq[0] = 0x02; /* BOS */
        for (Py_ssize_t i = 0; i < n; i++) seq[i + 1] = PyUnicode_READ(kind, data, i);
        seq[n + 1] = 0x03; /* EOS */
        double total = 0.0;
        for (Py_ssize_t i = 1; i < n + 2; i++) {
            Py_ssize_t start = i > keep ? i - keep : 0;
            int len = (int)(i - start);
            double d = lm_score(&self->foreign, seq + start, len, seq[i]) -
                       lm_score(&self->arabizi, seq + start, len, seq[i]);
            total += d;
        }
        PyObject *value = PyFloat_FromDouble(total / (double)(n + 1));
        if (!value) goto fail;
        PyList_SET_ITEM(out, w, value);
    }
    free(seq);
    return out;
fail:
    free(seq);
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef Ratio_methods[] = {
    {"totals", (PyCFunction)Ratio_totals, METH_O,
     "totals(words) -> list[float]: per lowered word, its per-character log-likelihood ratio (not rounded)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject RatioType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "aimm_nlp.text.translit._ckernels.Ratio",
    .tp_basicsize = sizeof(Ratio),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Ratio(foreign_lm, arabizi_lm): ForeignDetector.llr of many words, before rounding.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Ratio_init,
    .tp_dealloc = (destructor)Ratio_dealloc,
    .tp_methods = Ratio_methods,
};

/* ------------------------------------------------------------------ Lexical */

typedef struct {
    PyObject_HEAD
    PyObject *darija, *foreign; /* sets of lowered words */
    Table accents;              /* code + 1 of each one-letter accent */
    Py_ssize_t min_len;
} Lexical;

static void Lexical_dealloc(Lexical *self) {
    Py_CLEAR(self->darija);
    Py_CLEAR(self->foreign);
    table_free(&self->accents);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Lexical_init(Lexical *self, PyObject *args, PyObject *kwds) {
    PyObject *darija, *foreign, *accents;
    Py_ssize_t min_len;
    if (!PyArg_ParseTuple(args, "O!O!On", &PySet_Type, &darija, &PySet_Type, &foreign, &accents, &min_len))
        return -1;
    Py_INCREF(darija);
    Py_INCREF(foreign);
    Py_XSETREF(self->darija, darija);
    Py_XSETREF(self->foreign, foreign);
    self->min_len = min_len;
    table_free(&self->accents);
    PyObject *items = PySequence_List(accents);
    if (!items) return -1;
    int rc = table_init(&self->accents, PyList_GET_SIZE(items));
    for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(items); i++) {
        PyObject *a = PyList_GET_ITEM(items, i);
        if (!PyUnicode_Check(a)) {
            PyErr_SetString(PyExc_TypeError, "accents must be str");
            rc = -1;
        } else if (PyUnicode_GET_LENGTH(a) == 1) { /* isdisjoint(word) compares single letters */
            uint64_t h = (uint64_t)PyUnicode_READ_CHAR(a, 0) + 1;
            if (!table_find(&self->accents, h) && !table_add(&self->accents, h)) rc = -1;
        }
    }
    Py_DECREF(items);
    return rc;
}

static inline int ascii_letter(Py_UCS4 c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline int arabizi_digit(Py_UCS4 c) { return c == '2' || c == '3' || c == '5' || c == '7' || c == '8' || c == '9'; }

/* ForeignDetector._lexical's verdict of one lowered word, as _BY_KIND's index (0: the ratio decides). */
static int lexical_kind(Lexical *self, PyObject *w) {
    int kind = PyUnicode_KIND(w);
    const void *data = PyUnicode_DATA(w);
    Py_ssize_t n = PyUnicode_GET_LENGTH(w), apostrophe = -1;
    int accent = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (i + 1 < n) {
            Py_UCS4 d = PyUnicode_READ(kind, data, i + 1);
            if ((ascii_letter(c) && arabizi_digit(d)) || (arabizi_digit(c) && ascii_letter(d))) return 1;
        }
        if (!accent && table_find(&self->accents, (uint64_t)c + 1)) accent = 1;
        if (c == '\'' && apostrophe < 0) apostrophe = i;
    }
    int found = PySet_Contains(self->darija, w);
    if (found) return found < 0 ? -1 : 2;
    if (accent) return 3;
    found = PySet_Contains(self->foreign, w);
    if (found) return found < 0 ? -1 : 4;
    if (apostrophe >= 0) {
        PyObject *after = PyUnicode_Substring(w, apostrophe + 1, n);
        if (!after) return -1;
        found = PySet_Contains(self->foreign, after);
        Py_DECREF(after);
        if (found) return found < 0 ? -1 : 4;
    }
    return n < self->min_len ? 5 : 0;
}

static PyObject *Lexical_kinds(Lexical *self, PyObject *words) {
    if (!PyList_Check(words)) {
        PyErr_SetString(PyExc_TypeError, "expected a list of str");
        return NULL;
    }
    Py_ssize_t nw = PyList_GET_SIZE(words);
    PyObject *out = PyBytes_FromStringAndSize(NULL, nw);
    if (!out) return NULL;
    char *kinds = PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < nw; i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        int k = PyUnicode_Check(w) ? lexical_kind(self, w) : -2;
        if (k < 0) {
            if (k == -2) PyErr_SetString(PyExc_TypeError, "expected a list of str");
            Py_DECREF(out);
            return NULL;
        }
        kinds[i] = (char)k;
    }
    return out;
}

static PyMethodDef Lexical_methods[] = {
    {"kinds", (PyCFunction)Lexical_kinds, METH_O,
     "kinds(lowered) -> bytes: ForeignDetector._lexical's verdict of each lowered word (_BY_KIND's index)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject LexicalType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "aimm_nlp.text.translit._ckernels.Lexical",
    .tp_basicsize = sizeof(Lexical),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Lexical(darija_words, foreign_words, accents, min_len): the keep-foreign lexical checks.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Lexical_init,
    .tp_dealloc = (destructor)Lexical_dealloc,
    .tp_methods = Lexical_methods,
};

/* ------------------------------------------------------------------ Search */

typedef struct {
    PyObject_HEAD
    Lm lm;
    /* states: 0 the empty context, then the model's contexts (Lm.bow ivals) */
    int64_t nstates;
    uint32_t *state_codes; /* keep codes per state */
    int8_t *state_len;
    /* letters of the model (columns), the last column every other letter */
    Table letters; /* code + 1 -> column */
    uint32_t *letter_code;
    int64_t ncols;
    double *tlp;     /* per state and column: log P, computed on first use */
    int32_t *tnext;  /* next state + 1; 0: not computed yet */
    uint64_t *suffix; /* per state (KEEP_MAX + 1 each, filled on first use): hashes of its suffixes */
    double *partial;  /* and the back-off walk's sums over them */
    uint8_t *walked;  /* whether they are filled */
    int64_t start_state, eos_col;
    /* rules: (table, grapheme) -> options */
    Table rules;           /* hash(g) * P + table + 1 -> ivals: key index */
    int64_t *key_tab, *key_start, *key_first, *key_stop;
    int32_t *key_codes;    /* per key its codes, then -1 */
    int64_t *opt_glen, *opt_out, *opt_lm;
    uint32_t *out_codes;
    int64_t *lm_cols;
    double *opt_cost;
    uint64_t *opt_hash, *opt_pow;
    uint32_t *spelled; /* a spelling being written: 64 letters, each its longest option */
    Table vocab;
    uint8_t cons[128];
    int64_t max_len, beam;
    double lm_weight, vocab_bonus;
    /* work arrays, per layer and hypothesis */
    double *sc;
    uint64_t *oh;
    int64_t *st, *bp;
    uint64_t *merge; /* per layer 2^DBITS slots of (hash, generation << 8 | row) */
    uint64_t generation;
} Search;

static void Search_free(Search *s) {
    lm_free(&s->lm);
    table_free(&s->letters);
    table_free(&s->rules);
    table_free(&s->vocab);
    void *arrays[] = {s->state_codes, s->state_len, s->letter_code, s->tlp, s->tnext, s->suffix, s->partial, s->walked, s->key_tab,
                      s->key_start, s->key_first, s->key_stop, s->key_codes, s->opt_glen, s->opt_out,
                      s->opt_lm, s->out_codes, s->lm_cols, s->opt_cost, s->opt_hash, s->opt_pow,
                      s->sc, s->oh, s->st, s->bp, s->merge, s->spelled};
    for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) free(arrays[i]);
}

static void Search_dealloc(Search *self) {
    Search_free(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static inline int64_t column(const Search *s, uint32_t code) {
    const Entry *hit = table_find(&s->letters, (uint64_t)code + 1);
    return hit ? hit->i : s->ncols - 1;
}

/* tlp and tnext of (state, column): _jit_kernel.transition.
 *
 * tlp: lm_score's walk from the state. tnext: the longest suffix of (state + letter)[-keep:] that is a
 * state. Such a suffix of two letters or more is an n-gram (the model is closed), so it is among the
 * n-grams the walk probes, from the one it stopped at on (longer ones are no n-grams): a probed n-gram
 * that is a state carries the state's id (build_states). A one-letter state may be no n-gram: probed
 * last, in the back-off table. */
static void transition(Search *s, int64_t st, int64_t y) {
    const Lm *lm = &s->lm;
    int n = s->state_len[st];
    int unknown = y == s->ncols - 1;
    uint64_t tail = (uint64_t)(unknown ? NO_SYMBOL : s->letter_code[y]) + 1;
    const int width = KEEP_MAX + 1;
    uint64_t *suffix = s->suffix + st * width; /* hash of state[j:] */
    double *part = s->partial + st * width;    /* the walk's sum before it probes state[j:] + letter */
    if (!s->walked[st]) {                      /* once per state: its suffixes and back-off weights */
        const uint32_t *ctx = s->state_codes + st * (lm->keep ? lm->keep : 1);
        uint64_t power = 1;
        suffix[n] = 0;
        for (int j = n - 1; j >= 0; j--) {
            suffix[j] = ((uint64_t)ctx[j] + 1) * power + suffix[j + 1];
            power *= HP;
        }
        part[0] = 0.0;
        for (int j = 0; j < n; j++) {
            const Entry *b = table_find(&lm->bow, suffix[j]);
            part[j + 1] = part[j] + (b ? b->f : 0.0);
        }
        s->walked[st] = 1;
    }
    double acc;
    const Entry *hit = NULL;
    int j = 0;
    for (; j <= n; j++) { /* lm_score's walk: the same sums in the same order */
        hit = ngram(lm, suffix[j] * HP + tail);
        if (hit) {
            acc = part[j] + hit->f;
            break;
        }
    }
    if (!hit) acc = part[n] + lm->floor;
    int64_t at = st * s->ncols + y;
    s->tlp[at] = acc;
    int64_t next = 0;
    if (!unknown) {
        while (hit && !hit->i && ++j <= n) hit = ngram(lm, suffix[j] * HP + tail);
        if (hit && hit->i) {
            next = hit->i;
        } else {
            const Entry *b = table_find(&lm->bow, tail);
            next = b ? b->i : 0;
        }
    }
    s->tnext[at] = (int32_t)(next + 1);
}

static inline double step(Search *s, int64_t *state, int64_t y) {
    int64_t at = *state * s->ncols + y;
    if (!s->tnext[at]) transition(s, *state, y);
    *state = s->tnext[at] - 1;
    return s->tlp[at];
}

static void *grow(void *p, int64_t n, size_t size) {
    void *q = realloc(p, (size_t)(n > 0 ? n : 1) * size);
    if (!q) PyErr_NoMemory();
    return q;
}

/* The model's states and letters; ValueError where it is not closed under prefixes (then the state
 * machine would not give the walk's scores; see _jit_tables.state_machine). */
static int build_states(Search *s, PyObject *tables) {
    Lm *lm = &s->lm;
    PyObject *logp = PyObject_GetAttrString(tables, "logp");
    PyObject *bow = logp ? PyObject_GetAttrString(tables, "bow") : NULL;
    int rc = -1;
    if (!bow) goto done;
    int keep = lm->keep ? lm->keep : 1;
    s->nstates = PyDict_GET_SIZE(bow) + 1;
    s->state_codes = calloc((size_t)s->nstates * keep, sizeof(uint32_t));
    s->state_len = calloc((size_t)s->nstates, 1);
    if (!s->state_codes || !s->state_len) {
        PyErr_NoMemory();
        goto done;
    }
    int64_t nletters = 0, room = 64;
    s->letter_code = malloc(room * sizeof(uint32_t));
    if (!s->letter_code || table_init(&s->letters, 4096) < 0) goto done;
    PyObject *dicts[2] = {logp, bow};
    for (int d = 0; d < 2; d++) {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(dicts[d], &pos, &key, &value)) {
            int kind = PyUnicode_KIND(key);
            const void *data = PyUnicode_DATA(key);
            Py_ssize_t n = PyUnicode_GET_LENGTH(key);
            for (Py_ssize_t i = 0; i < n; i++) {
                uint32_t c = PyUnicode_READ(kind, data, i);
                if (table_find(&s->letters, (uint64_t)c + 1)) continue;
                if (nletters + 2 > 2048) {
                    PyErr_SetString(PyExc_ValueError, "the model has too many letters");
                    goto done;
                }
                if (nletters == room) {
                    room *= 2;
                    if (!(s->letter_code = grow(s->letter_code, room, sizeof(uint32_t)))) goto done;
                }
                table_add(&s->letters, (uint64_t)c + 1)->i = nletters; /* a new key: never NULL */
                s->letter_code[nletters++] = c;
            }
            if (n > 1) {
                /* an n-gram's context is a context; a context is an n-gram */
                uint64_t h = 0;
                for (Py_ssize_t i = 0; i < n - 1; i++) h = h * HP + (uint64_t)PyUnicode_READ(kind, data, i) + 1;
                int closed = d == 0 ? table_find(&lm->bow, h) != NULL : table_find(&lm->logp, hash_str(key)) != NULL;
                if (!closed) {
                    PyErr_SetString(PyExc_ValueError, "the character model is not closed under prefixes");
                    goto done;
                }
            }
            if (d == 1) {
                if (n > lm->keep) {
                    PyErr_SetString(PyExc_ValueError, "a context of the model is longer than its order allows");
                    goto done;
                }
                int64_t id = table_find(&lm->bow, hash_str(key))->i;
                s->state_len[id] = (int8_t)n;
                for (Py_ssize_t i = 0; i < n; i++) s->state_codes[id * keep + i] = PyUnicode_READ(kind, data, i);
            }
        }
    }
    /* an n-gram that is also a context carries its state id (see transition) */
    for (uint64_t slot = 0; slot <= lm->bow.mask; slot++) {
        const Entry *b = lm->bow.e + slot;
        Entry *g = b->key ? (Entry *)table_find(&lm->logp, b->key) : NULL;
        if (g) g->i = b->i;
    }
    s->ncols = nletters + 1;
    s->tlp = malloc((size_t)s->nstates * s->ncols * sizeof(double));
    s->tnext = calloc((size_t)s->nstates * s->ncols, sizeof(int32_t));
    s->suffix = malloc((size_t)s->nstates * (KEEP_MAX + 1) * sizeof(uint64_t));
    s->partial = malloc((size_t)s->nstates * (KEEP_MAX + 1) * sizeof(double));
    s->walked = calloc((size_t)s->nstates, 1);
    if (!s->tlp || !s->tnext || !s->suffix || !s->partial || !s->walked) {
        PyErr_NoMemory();
        goto done;
    }
    const Entry *bos = table_find(&lm->bow, 0x02 + 1); /* BOS */
    s->start_state = bos ? bos->i : 0;
    s->eos_col = column(s, 0x03);
    rc = 0;
done:
    Py_XDECREF(logp);
    Py_XDECREF(bow);
    return rc;
}

/* The rule tables (a list of dicts grapheme -> [(arabic, cost), ...] in _jit._TABLES order). */
static int build_rules(Search *s, PyObject *tables) {
    if (!PyList_Check(tables) || PyList_GET_SIZE(tables) != TAB_NAMES) {
        PyErr_SetString(PyExc_TypeError, "expected a list of 4 dicts");
        return -1;
    }
    Py_ssize_t nkeys = 0;
    for (int t = 0; t < TAB_NAMES; t++) {
        PyObject *d = PyList_GET_ITEM(tables, t);
        if (!PyDict_Check(d)) {
            PyErr_SetString(PyExc_TypeError, "expected a list of 4 dicts");
            return -1;
        }
        nkeys += PyDict_GET_SIZE(d);
    }
    if (table_init(&s->rules, nkeys) < 0) return -1;
    int64_t kroom = nkeys + 1, croom = 8 * nkeys + 8, oroom = 4 * nkeys + 8, out_room = 8 * nkeys + 8, lm_room = out_room;
    s->key_tab = malloc(kroom * sizeof(int64_t));
    s->key_start = malloc(kroom * sizeof(int64_t));
    s->key_first = malloc(kroom * sizeof(int64_t));
    s->key_stop = malloc(kroom * sizeof(int64_t));
    s->key_codes = malloc(croom * sizeof(int32_t));
    s->opt_glen = malloc(oroom * sizeof(int64_t));
    s->opt_out = malloc((oroom + 1) * sizeof(int64_t));
    s->opt_lm = malloc((oroom + 1) * sizeof(int64_t));
    s->opt_cost = malloc(oroom * sizeof(double));
    s->opt_hash = malloc(oroom * sizeof(uint64_t));
    s->opt_pow = malloc(oroom * sizeof(uint64_t));
    s->out_codes = malloc(out_room * sizeof(uint32_t));
    s->lm_cols = malloc(lm_room * sizeof(int64_t));
    if (!s->key_tab || !s->key_start || !s->key_first || !s->key_stop || !s->key_codes || !s->opt_glen ||
        !s->opt_out || !s->opt_lm || !s->opt_cost || !s->opt_hash || !s->opt_pow || !s->out_codes || !s->lm_cols) {
        PyErr_NoMemory();
        return -1;
    }
    int64_t ncodes = 0, nopt = 0, nout = 0, nlm = 0, k = 0;
    s->opt_out[0] = 0;
    s->opt_lm[0] = 0;
    for (int t = 0; t < TAB_NAMES; t++) {
        PyObject *key, *options;
        Py_ssize_t pos = 0;
        while (PyDict_Next(PyList_GET_ITEM(tables, t), &pos, &key, &options)) {
            if (!PyUnicode_Check(key) || !PyList_Check(options)) {
                PyErr_SetString(PyExc_TypeError, "expected grapheme -> list of (arabic, cost)");
                return -1;
            }
            Py_ssize_t glen = PyUnicode_GET_LENGTH(key);
            Entry *entry = table_add(&s->rules, hash_str(key) * HP + (uint64_t)t + 1);
            if (!entry) return -1;
            entry->i = k;
            s->key_tab[k] = t;
            s->key_start[k] = ncodes;
            s->key_first[k] = nopt;
            if (ncodes + glen + 1 > croom) {
                croom = 2 * (ncodes + glen + 1);
                if (!(s->key_codes = grow(s->key_codes, croom, sizeof(int32_t)))) return -1;
            }
            for (Py_ssize_t i = 0; i < glen; i++)
                s->key_codes[ncodes++] = (int32_t)PyUnicode_READ_CHAR(key, i);
            s->key_codes[ncodes++] = -1;
            Py_ssize_t no = PyList_GET_SIZE(options);
            if (nopt + no + 1 > oroom) {
                oroom = 2 * (nopt + no + 1);
                if (!(s->opt_glen = grow(s->opt_glen, oroom, sizeof(int64_t))) ||
                    !(s->opt_out = grow(s->opt_out, oroom + 1, sizeof(int64_t))) ||
                    !(s->opt_lm = grow(s->opt_lm, oroom + 1, sizeof(int64_t))) ||
                    !(s->opt_cost = grow(s->opt_cost, oroom, sizeof(double))) ||
                    !(s->opt_hash = grow(s->opt_hash, oroom, sizeof(uint64_t))) ||
                    !(s->opt_pow = grow(s->opt_pow, oroom, sizeof(uint64_t))))
                    return -1;
            }
            for (Py_ssize_t j = 0; j < no; j++) {
                PyObject *pair = PyList_GET_ITEM(options, j);
                PyObject *arab;
                double cost;
                if (!PyArg_ParseTuple(pair, "Ud", &arab, &cost)) return -1;
                Py_ssize_t alen = PyUnicode_GET_LENGTH(arab);
                if (nout + alen > out_room) {
                    out_room = 2 * (nout + alen);
                    if (!(s->out_codes = grow(s->out_codes, out_room, sizeof(uint32_t)))) return -1;
                }
                if (nlm + alen > lm_room) {
                    lm_room = 2 * (nlm + alen);
                    if (!(s->lm_cols = grow(s->lm_cols, lm_room, sizeof(int64_t)))) return -1;
                }
                uint64_t power = 1;
                for (Py_ssize_t i = 0; i < alen; i++) {
                    uint32_t c = PyUnicode_READ_CHAR(arab, i);
                    s->out_codes[nout++] = c;
                    if (c != SHADDA) s->lm_cols[nlm++] = column(s, c); /* the model never saw diacritics */
                    power *= HP;
                }
                s->opt_glen[nopt] = glen;
                s->opt_cost[nopt] = cost;
                s->opt_hash[nopt] = hash_str(arab);
                s->opt_pow[nopt] = power;
                s->opt_out[nopt + 1] = nout;
                s->opt_lm[nopt + 1] = nlm;
                nopt++;
            }
            s->key_stop[k] = nopt;
            k++;
        }
    }
    int64_t widest = 1; /* the longest option's output: the spelling buffer holds 64 of them */
    for (int64_t o = 0; o < nopt; o++)
        if (s->opt_out[o + 1] - s->opt_out[o] > widest) widest = s->opt_out[o + 1] - s->opt_out[o];
    if (!(s->spelled = malloc((size_t)(LONGEST * widest + 1) * sizeof(uint32_t)))) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static int Search_init(Search *self, PyObject *args, PyObject *kwds) {
    PyObject *rules, *tables, *vocab, *consonants;
    long long max_len, beam;
    double lm_weight, vocab_bonus;
    if (!PyArg_ParseTuple(args, "OOOULddL", &rules, &tables, &vocab, &consonants, &max_len, &lm_weight,
                          &vocab_bonus, &beam))
        return -1;
    Search_free(self);
    memset((char *)self + sizeof(PyObject), 0, sizeof(Search) - sizeof(PyObject));
    if (beam < 1 || beam > CAP) {
        PyErr_SetString(PyExc_ValueError, "beam must be 1-256");
        return -1;
    }
    self->max_len = max_len;
    self->beam = beam;
    self->lm_weight = lm_weight;
    self->vocab_bonus = vocab_bonus;
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(consonants); i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(consonants, i);
        if (c < 128) self->cons[c] = 1;
    }
    if (lm_init(&self->lm, tables) < 0 || build_states(self, tables) < 0 || build_rules(self, rules) < 0 ||
        fill_floats(&self->vocab, vocab, 0) < 0)
        return -1;
    size_t layers = LONGEST + 1;
    self->sc = malloc(layers * CAP * sizeof(double));
    self->oh = malloc(layers * CAP * sizeof(uint64_t));
    self->st = malloc(layers * CAP * sizeof(int64_t));
    self->bp = malloc(layers * CAP * sizeof(int64_t));
    self->merge = calloc(layers * ((size_t)1 << DBITS) * 2, sizeof(uint64_t));
    if (!self->sc || !self->oh || !self->st || !self->bp || !self->merge) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* rank_rules(word, k=1)'s spelling into out (codes), its length; -1: the caller searches in Python. */
static Py_ssize_t search_word(Search *s, const uint32_t *codes, const uint32_t *lower, int n, uint32_t *out) {
    int64_t count[LONGEST + 1], picks[CAP], opts[CAP], rev[LONGEST + 1];
    double b_sc[CAP];
    int64_t b_st[CAP];
    uint64_t b_oh[CAP];
    const int64_t W = CAP, D = (int64_t)1 << DBITS;
    const uint64_t dmask = (uint64_t)D - 1;
    s->generation++;
    uint64_t gen = s->generation << 8;
    for (int layer = 0; layer <= n; layer++) count[layer] = 0;
    s->sc[0] = 0.0;
    s->oh[0] = 0;
    s->st[0] = s->start_state;
    count[0] = 1;
    for (int i = 0; i < n; i++) {
        int64_t c = count[i];
        if (c == 0) continue;
        double *sci = s->sc + i * W;
        int64_t nb;
        if (c > s->beam) { /* the best `beam` by score, then row (a stable sort) */
            int64_t m = 0, k = s->beam;
            for (int64_t idx = 0; idx < c; idx++) {
                double v = sci[idx];
                if (m == k && !(v < sci[picks[k - 1]])) continue;
                int64_t p = m < k ? m : k - 1;
                while (p > 0 && v < sci[picks[p - 1]]) {
                    picks[p] = picks[p - 1];
                    p--;
                }
                picks[p] = idx;
                if (m < k) m++;
            }
            nb = m;
        } else {
            nb = c;
            for (int64_t b = 0; b < nb; b++) picks[b] = b;
        }
        for (int64_t b = 0; b < nb; b++) {
            b_sc[b] = sci[picks[b]];
            b_st[b] = s->st[i * W + picks[b]];
            b_oh[b] = s->oh[i * W + picks[b]];
        }
        /* RuleTable.options(word, i): longest grapheme first; per length word-initial, word-final,
         * before a doubled consonant, any position, lowercased */
        int64_t no = 0;
        int64_t longest = s->max_len < n - i ? s->max_len : n - i;
        for (int64_t length = longest; length > 0; length--) {
            uint64_t hg = hash_codes(codes + i, length);
            for (int tab = 0; tab < 5; tab++) {
                if (tab == 0 && i != 0) continue;
                if (tab == 1 && i + length != n) continue;
                if (tab == 2) {
                    if (!(i + length + 1 < n)) continue;
                    uint32_t nxt = codes[i + length];
                    if (nxt != codes[i + length + 1] || nxt >= 128 || !s->cons[nxt]) continue;
                }
                const uint32_t *letters = codes;
                int t = tab;
                uint64_t hq = hg;
                if (tab == 4) {
                    if (!memcmp(codes + i, lower + i, length * sizeof(uint32_t))) continue;
                    letters = lower;
                    hq = hash_codes(lower + i, length);
                    t = 3;
                }
                const Entry *hit = table_find(&s->rules, hq * HP + (uint64_t)t + 1);
                if (!hit) continue;
                int64_t key = hit->i;
                if (s->key_tab[key] != t) continue;
                const int32_t *kc = s->key_codes + s->key_start[key];
                int good = kc[length] == -1;
                for (int64_t q = 0; q < length && good; q++)
                    if ((uint32_t)kc[q] != letters[i + q]) good = 0;
                if (!good) continue;
                int64_t first = s->key_first[key], stop = s->key_stop[key];
                if (no + stop - first > CAP) return -1;
                for (int64_t o = first; o < stop; o++) opts[no++] = o;
                break;
            }
        }
        if (no == 0) opts[no++] = -1 - (int64_t)codes[i]; /* a letter no rule knows stays (cost 0) */
        /* options outer, hypotheses inner: equal spellings merge, the first keeps its place */
        for (int64_t k = 0; k < no; k++) {
            int64_t o = opts[k], tgt, y0 = 0, y1 = 0, kept_col = -1;
            double cost;
            uint64_t o_hash, o_pow;
            if (o >= 0) {
                tgt = i + s->opt_glen[o];
                cost = s->opt_cost[o];
                o_hash = s->opt_hash[o];
                o_pow = s->opt_pow[o];
                y0 = s->opt_lm[o];
                y1 = s->opt_lm[o + 1];
            } else {
                tgt = i + 1;
                cost = 0.0;
                o_hash = (uint64_t)(-o); /* the kept letter's code + 1 */
                o_pow = HP;
                if (-1 - o != SHADDA) kept_col = column(s, (uint32_t)(-1 - o));
            }
            int64_t link = o * 65536 + (int64_t)i * 256; /* back pointer: option, layer, row */
            double *sct = s->sc + tgt * W;
            uint64_t *merge = s->merge + tgt * D * 2;
            for (int64_t b = 0; b < nb; b++) {
                int64_t state = b_st[b];
                double lp = 0.0;
                if (o >= 0) {
                    for (int64_t q = y0; q < y1; q++) lp += step(s, &state, s->lm_cols[q]);
                } else if (kept_col >= 0) {
                    lp += step(s, &state, kept_col);
                }
                double score = b_sc[b] + cost - s->lm_weight * lp;
                uint64_t nh = b_oh[b] * o_pow + o_hash;
                uint64_t ds = (nh * GOLD) >> (64 - DBITS);
                int64_t at = -1;
                while ((merge[2 * ds + 1] & ~(uint64_t)255) == gen) {
                    if (merge[2 * ds] == nh) {
                        at = (int64_t)(merge[2 * ds + 1] & 255);
                        break;
                    }
                    ds = (ds + 1) & dmask;
                }
                if (at < 0) {
                    at = count[tgt];
                    if (at >= CAP) return -1;
                    count[tgt] = at + 1;
                    merge[2 * ds] = nh;
                    merge[2 * ds + 1] = gen | (uint64_t)at;
                    s->oh[tgt * W + at] = nh;
                } else if (!(score < sct[at])) {
                    continue;
                }
                sct[at] = score;
                s->st[tgt * W + at] = state;
                s->bp[tgt * W + at] = link + picks[b];
            }
        }
    }
    if (count[n] == 0) return -1;
    /* the final score: sc - lm_weight * log P(EOS) - vocab_bonus * the word list's scale */
    int64_t best = -1;
    double best_s = 0.0;
    for (int64_t hyp = 0; hyp < count[n]; hyp++) {
        int64_t state = s->st[n * W + hyp];
        double eos = step(s, &state, s->eos_col);
        const Entry *listed = table_find(&s->vocab, s->oh[n * W + hyp]);
        double v = listed ? listed->f : 0.0;
        double score = (s->sc[n * W + hyp] - s->lm_weight * eos) - s->vocab_bonus * v;
        if (best < 0 || score < best_s) {
            best = hyp;
            best_s = score;
        }
    }
    int depth = 0;
    int64_t layer = n, hyp = best;
    while (layer > 0) {
        int64_t link = s->bp[layer * W + hyp];
        rev[depth++] = link >> 16;
        layer = (link >> 8) & 255;
        hyp = link & 255;
    }
    Py_ssize_t used = 0;
    for (int d = depth - 1; d >= 0; d--) {
        int64_t o = rev[d];
        if (o < 0) {
            out[used++] = (uint32_t)(-1 - o);
        } else {
            for (int64_t q = s->opt_out[o]; q < s->opt_out[o + 1]; q++) out[used++] = s->out_codes[q];
        }
    }
    return used;
}

static PyObject *Search_best_many(Search *self, PyObject *args) {
    PyObject *words, *lowered;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &words, &PyList_Type, &lowered)) return NULL;
    Py_ssize_t nw = PyList_GET_SIZE(words);
    if (PyList_GET_SIZE(lowered) != nw) {
        PyErr_SetString(PyExc_ValueError, "words and lowered differ in length");
        return NULL;
    }
    uint32_t *out = self->spelled;
    PyObject *result = PyList_New(nw);
    if (!result) return NULL;
    uint32_t codes[LONGEST], lower[LONGEST];
    for (Py_ssize_t w = 0; w < nw; w++) {
        PyObject *word = PyList_GET_ITEM(words, w), *low = PyList_GET_ITEM(lowered, w);
        if (!PyUnicode_Check(word) || !PyUnicode_Check(low)) {
            PyErr_SetString(PyExc_TypeError, "expected lists of str");
            Py_DECREF(result);
            return NULL;
        }
        Py_ssize_t n = PyUnicode_GET_LENGTH(word), used = -1;
        if (n > 0 && n <= LONGEST && PyUnicode_GET_LENGTH(low) == n) {
            for (Py_ssize_t i = 0; i < n; i++) {
                codes[i] = PyUnicode_READ_CHAR(word, i);
                lower[i] = PyUnicode_READ_CHAR(low, i);
            }
            used = search_word(self, codes, lower, (int)n, out);
        }
        PyObject *item;
        if (used < 0) {
            item = Py_None;
            Py_INCREF(item);
        } else {
            item = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, used);
            if (!item) {
                Py_DECREF(result);
                return NULL;
            }
        }
        PyList_SET_ITEM(result, w, item);
    }
    return result;
}

static PyMethodDef Search_methods[] = {
    {"best_many", (PyCFunction)Search_best_many, METH_VARARGS,
     "best_many(words, lowered) -> list[str | None]: rank_rules(word, k=1)'s spelling of each word."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject SearchType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "aimm_nlp.text.translit._ckernels.Search",
    .tp_basicsize = sizeof(Search),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Search(tables, lm, vocab, consonants, max_len, lm_weight, vocab_bonus, beam): the ranked search.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Search_init,
    .tp_dealloc = (destructor)Search_dealloc,
    .tp_methods = Search_methods,
};

static struct PyModuleDef ckernels_module = {
    PyModuleDef_HEAD_INIT, "_ckernels",
    "The ranked Arabizi search and the keep-foreign ratio in C (see _native.py).", -1, NULL,
};

PyMODINIT_FUNC PyInit__ckernels(void) {
    if (PyType_Ready(&SearchType) < 0 || PyType_Ready(&RatioType) < 0 || PyType_Ready(&LexicalType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&ckernels_module);
    if (!m) return NULL;
    Py_INCREF(&SearchType);
    Py_INCREF(&RatioType);
    Py_INCREF(&LexicalType);
    if (PyModule_AddObject(m, "Search", (PyObject *)&SearchType) < 0 ||
        PyModule_AddObject(m, "Ratio", (PyObject *)&RatioType) < 0 ||
        PyModule_AddObject(m, "Lexical", (PyObject *)&LexicalType) < 0 ||
        PyModule_AddStringConstant(m, "SOURCE_SHA256", AIMM_SOURCE_SHA256) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
