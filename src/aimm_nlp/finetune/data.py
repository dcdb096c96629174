"""Reading training files and turning records into token ids for each task.

Files are read with the standard library (TSV/CSV with a header, JSON lines, plain text, or
token-per-row TSV for tagging), so a run needs no data-set cache; a name that is not a file goes
to ``aimm_nlp.corpus.load_corpus`` when that module is installed. Every problem is a
:class:`~aimm_nlp.errors.DataError` naming the file, line and column, raised before training.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimm_nlp._io import iter_lines
from aimm_nlp._surrogates import surrogate_problem
from aimm_nlp.errors import ConfigError, DataError, InputFileError

__all__ = ["Encoded", "encode_records", "read_records"]

log = logging.getLogger(__name__)
IGNORE = -100


@dataclass
class Encoded:
    """Token ids of a split, one entry per sample (lists of ints, ready for the collators)."""

    input_ids: list[list[int]]
    labels: list[Any]  # int (classification), list[int] (tagging/seq2seq/SFT loss mask) or None
    truncated: int = 0  # samples cut to max_length
    label_names: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.input_ids)


def read_records(source: str, *, fmt: str = "auto", group_column: str = "sentence", limit: int | None = None):
    """Read a local file into a list of dict records (see module docstring for formats).

    Args:
        limit: keep the first ``limit`` records (>= 1), or ``None`` for all.

    Raises:
        InputFileError: missing file, NUL byte or invalid UTF-8 (file and line named).
        DataError: a malformed line: invalid JSON, a JSON string with a lone surrogate (``"\\ud800"``),
            a TSV/CSV row with more or fewer fields than the header; the message names file and line.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ConfigError(f"data.limit: must be null or an integer >= 1, got {limit!r}")
    path = Path(source)
    if not path.exists() or path.is_dir() or path.suffix.lower() in (".parquet", ".conllu"):
        # catalogued corpus names, save_to_disk folders, parquet/conllu: the corpus pipeline reads them
        try:
            from aimm_nlp.corpus import load_corpus
        except ImportError:
            raise InputFileError(f"{source}: no such file", path=source) from None
        looks_like_file = any(sep in source for sep in "/\\") or path.suffix.lower() in (
            ".tsv",
            ".csv",
            ".txt",
        )
        if not path.exists() and looks_like_file:
            raise InputFileError(f"{source}: no such file", path=source)
        ds = load_corpus(source)
        return [dict(r) for r in (ds.select(range(min(limit, len(ds)))) if limit is not None else ds)]
    if fmt == "auto":
        fmt = {".tsv": "tsv", ".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".txt": "txt"}.get(
            path.suffix.lower(), ""
        )
        if not fmt:
            raise DataError(f"{source}: cannot tell the format from the suffix; set data.format")
    # _io: a NUL byte or invalid UTF-8 (UTF-16 too) is named with its file and line; lines end at \n only
    lines = list(iter_lines(path))
    if lines and lines[0].startswith("\ufeff"):  # a UTF-8 BOM (Excel, Notepad) is not part of the header
        lines[0] = lines[0][1:]
    if fmt == "txt":
        records = [{"text": line} for line in lines if line.strip()]
    elif fmt == "jsonl":
        records = []
        for i, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{source}:{i}: invalid JSON ({exc.msg} at column {exc.colno})") from None
            if not isinstance(rec, dict):
                raise DataError(f"{source}:{i}: each line must be a JSON object")
            problem = surrogate_problem(rec) if "\\u" in line else None
            if problem:
                raise DataError(f"{source}:{i}: {problem}")
            records.append(rec)
            if limit is not None and len(records) >= limit:
                break
    else:
        records = _table(lines, fmt, source)
        if fmt == "token_rows":
            records = _group_rows(records, group_column, source)
    return records if limit is None else records[:limit]


def _table(lines: list[str], fmt: str, source: str) -> list[dict]:
    """Rows of a TSV/CSV/token_rows file with a header line; a row with more or fewer fields is refused."""
    delim = "," if fmt == "csv" else "\t"
    kind = "comma" if fmt == "csv" else "tab"
    quoting = csv.QUOTE_MINIMAL if fmt == "csv" else csv.QUOTE_NONE
    reader = csv.reader(lines, delimiter=delim, quoting=quoting, strict=fmt == "csv")
    records: list[dict] = []
    try:
        header = next(reader, None)
        if header is None:
            return records
        for row in reader:
            if not row:
                continue  # a blank line
            if len(row) != len(header):
                raise DataError(
                    f"{source}:{reader.line_num}: expected {len(header)} {kind}-separated fields "
                    f"({', '.join(header)}), found {len(row)}; fix that line (a {kind} inside a field "
                    + ("must be quoted)" if fmt == "csv" else "cannot be escaped in TSV: use JSONL)")
                )
            records.append(dict(zip(header, row, strict=True)))
    except csv.Error as exc:
        raise DataError(f"{source}:{reader.line_num}: malformed {fmt.upper()} ({exc})") from None
    return records


def _group_rows(rows: list[dict], group_column: str, source: str) -> list[dict]:
    if rows and group_column not in rows[0]:
        raise DataError(
            f"{source}: no column {group_column!r} (data.group_column); columns: {', '.join(rows[0])}"
        )
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row[group_column], []).append(row)
    return [{"rows": g} for g in groups.values()]


def _column(rec: dict, col: str, source: str, i: int) -> Any:
    if col not in rec:
        raise DataError(
            f"{source}: record {i + 1} has no column {col!r}; columns: {', '.join(map(str, rec))}"
        )
    return rec[col]


def encode_records(
    records: list[dict], cfg, tokenizer, *, source: str, label_names: list[str] | None
) -> Encoded:
    """Tokenize ``records`` for ``cfg.task``; labels outside ``label_names`` are a DataError."""
    d, task = cfg.data, cfg.task
    if not records:
        raise DataError(f"{source}: no records: the data set is empty")
    max_len = d.max_length
    ids: list[list[int]] = []
    labels: list[Any] = []
    truncated = 0
    if task in ("sequence_classification", "causal_lm", "masked_lm") and d.prompt_column is None:
        texts = [str(_column(r, d.text_column, source, i)) for i, r in enumerate(records)]
        enc = tokenizer(texts, add_special_tokens=True, truncation=False)["input_ids"]
        if task == "causal_lm" and tokenizer.eos_token_id is not None:
            enc = [e if e and e[-1] == tokenizer.eos_token_id else [*e, tokenizer.eos_token_id] for e in enc]
        index = {name: k for k, name in enumerate(label_names or [])}
        for i, (rec, e) in enumerate(zip(records, enc, strict=True)):
            if len(e) > max_len:
                truncated += 1
                e = e[: max_len - 1] + e[-1:] if task != "causal_lm" else e[:max_len]
            ids.append(e)
            if task == "sequence_classification":
                lab = str(_column(rec, d.label_column, source, i))
                if lab not in index:
                    raise DataError(
                        f"{source}: record {i + 1}: label {lab!r} is not in data.labels ({', '.join(index)}); "
                        "add it to data.labels or fix the data"
                    )
                labels.append(index[lab])
            else:
                labels.append(None)
    elif task == "causal_lm":
        ids, labels, truncated = _encode_sft(records, cfg, tokenizer, source)
    elif task == "token_classification":
        ids, labels, truncated = _encode_tags(records, cfg, tokenizer, source, label_names or [])
    elif task == "seq2seq":
        src = [d.source_prefix + str(_column(r, d.source_column, source, i)) for i, r in enumerate(records)]
        tgt = [str(_column(r, d.target_column, source, i)) for i, r in enumerate(records)]
        s_ids = tokenizer(src, truncation=False)["input_ids"]
        t_ids = tokenizer(text_target=tgt, truncation=False)["input_ids"]
        for s, t in zip(s_ids, t_ids, strict=True):
            if len(s) > max_len or len(t) > max_len:
                truncated += 1
            ids.append(s[: max_len - 1] + s[-1:] if len(s) > max_len else s)
            labels.append(t[: max_len - 1] + t[-1:] if len(t) > max_len else t)
    keep = [k for k, e in enumerate(ids) if len(e) >= (2 if task == "causal_lm" else 1)]
    if not keep:
        raise DataError(f"{source}: every record is empty after tokenization")
    if truncated:
        log.warning(
            "%s: %d of %d samples longer than data.max_length=%d were truncated",
            source,
            truncated,
            len(ids),
            max_len,
        )
    return Encoded([ids[k] for k in keep], [labels[k] for k in keep], truncated, list(label_names or []))


def _encode_sft(records, cfg, tokenizer, source):
    """Ids and loss masks of prompt/response pairs, with an exact boundary.

    The rendered conversation is ``prompt_text + response_text`` (the template with
    ``add_generation_prompt`` gives the prompt text). Encoding the whole string can merge the last
    template character into the first response token (SentencePiece: ``|>`` + ``ana`` -> ``>ana``),
    which would put a template token in the loss or a response token out of it. When the whole
    encoding does not start with the prompt's own ids, the two parts are encoded separately and
    concatenated: the prompt is then exactly the ids the model sees at inference, and every
    response token (and the closing EOS) is in the loss, no prompt token ever is.
    """
    d = cfg.data
    template = d.chat_template or getattr(tokenizer, "chat_template", None)
    if not template:
        raise DataError(
            "SFT (data.prompt_column set) needs a chat template: set data.chat_template or use a tokenizer with one"
        )
    ids, masks, truncated = [], [], 0
    for i, rec in enumerate(records):
        prompt = [{"role": "user", "content": str(_column(rec, d.prompt_column, source, i))}]
        full = [*prompt, {"role": "assistant", "content": str(_column(rec, d.response_column, source, i))}]
        p = tokenizer.apply_chat_template(
            prompt, chat_template=template, tokenize=False, add_generation_prompt=True
        )
        f = tokenizer.apply_chat_template(full, chat_template=template, tokenize=False)
        if not f.startswith(p):
            raise DataError(
                f"{source}: record {i + 1}: the chat template renders the prompt (add_generation_prompt) as "
                f"{p[-40:]!r}, which does not begin the full conversation {f[: len(p) + 20][-60:]!r}; "
                "use a template whose generation prompt is a prefix of the conversation"
            )
        p_ids = tokenizer(p, add_special_tokens=False)["input_ids"]
        f_ids = tokenizer(f, add_special_tokens=False)["input_ids"]
        if f_ids[: len(p_ids)] != p_ids:  # a token straddles the boundary: encode the parts apart
            f_ids = p_ids + tokenizer(f[len(p) :], add_special_tokens=False)["input_ids"]
        if tokenizer.eos_token_id is not None and (not f_ids or f_ids[-1] != tokenizer.eos_token_id):
            f_ids.append(tokenizer.eos_token_id)
        mask = [0] * len(p_ids) + [1] * (len(f_ids) - len(p_ids))
        if len(f_ids) > d.max_length:
            truncated += 1
            f_ids, mask = f_ids[: d.max_length], mask[: d.max_length]
        ids.append(f_ids)
        masks.append(mask)
    return ids, masks, truncated


def _encode_tags(records, cfg, tokenizer, source, label_names):
    d = cfg.data
    index = {name: k for k, name in enumerate(label_names)}
    sentences: list[tuple[list[str], list[str]]] = []
    for i, rec in enumerate(records):
        if "rows" in rec:  # token_rows
            words = [str(_column(r, d.words_column, source, i)) for r in rec["rows"]]
            tags = [str(_column(r, d.label_column, source, i)) for r in rec["rows"]]
        else:
            words, tags = _column(rec, d.words_column, source, i), _column(rec, d.label_column, source, i)
            if isinstance(words, str):
                words, tags = words.split(), tags.split()
        if len(words) != len(tags):
            raise DataError(f"{source}: record {i + 1}: {len(words)} words but {len(tags)} tags")
        for t in tags:
            if t not in index:
                raise DataError(
                    f"{source}: record {i + 1}: tag {t!r} is not in data.labels; add it or set data.labels: auto"
                )
        sentences.append((words, tags))
    enc = tokenizer([w for w, _ in sentences], is_split_into_words=True, truncation=False)
    ids, labels, truncated = [], [], 0
    for k, (_words, tags) in enumerate(sentences):
        e = enc["input_ids"][k]
        prev, lab = None, []
        for w in enc.word_ids(k):  # label the first subword of each word; -100 elsewhere
            lab.append(IGNORE if w is None or w == prev else index[tags[w]])
            prev = w
        if len(e) > d.max_length:
            truncated += 1
            e, lab = e[: d.max_length], lab[: d.max_length]
        ids.append(e)
        labels.append(lab)
    return ids, labels, truncated


def auto_labels(records: list[dict], cfg, source: str) -> list[str]:
    """The sorted label set of the training records (``data.labels: auto``)."""
    d = cfg.data
    found: set[str] = set()
    for i, rec in enumerate(records):
        if cfg.task == "sequence_classification":
            found.add(str(_column(rec, d.label_column, source, i)))
        elif "rows" in rec:
            found.update(str(_column(r, d.label_column, source, i)) for r in rec["rows"])
        else:
            tags = _column(rec, d.label_column, source, i)
            found.update(tags.split() if isinstance(tags, str) else map(str, tags))
    return sorted(found)
