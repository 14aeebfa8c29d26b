"""Build the bundled demo samples in ``seeds/`` from ``benchmarks/data/``.

Writes:

* ``seeds/livedoor-ja-sample.jsonl.gz`` - ~400 articles of the livedoor news
  corpus (``benchmarks/data/livedoor-ja.jsonl.gz``, CC BY-ND 2.1 JP);
* ``seeds/bbc-en-sample.jsonl.gz`` - ~200 articles of the BBC news dataset
  (``benchmarks/data/bbc-en.jsonl.gz``, MIT);
* ``seeds/LICENSE-livedoor.txt`` and ``seeds/LICENSE-bbc.txt`` - copies of the
  licence files.

Selection (deterministic, ``random.Random(13)``):

1. Topical picks so the demo has substance: for each keyword, every article
   whose title or body contains it; a keyword group with more than ``CAP``
   matches is reduced to ``CAP`` by a random sample.
2. The rest of the target size is filled with a random sample of the
   remaining articles.

Records are copied unchanged: each output line is the byte-for-byte identical
JSON line of the source file, and the lines keep their source order.  The gzip
header carries no file name or timestamp, so re-running the script produces
identical files.

Usage::

    python benchmarks/make_samples.py          # (re)write the samples
    python benchmarks/make_samples.py --check  # exit 1 if they are out of date
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
SEEDS = ROOT / "seeds"
SEED = 13
CAP = 60


@dataclass(frozen=True)
class Sample:
    source: str
    target: str
    size: int
    keywords: tuple[str, ...]
    licence_source: str
    licence_target: str


SAMPLES: tuple[Sample, ...] = (
    Sample(
        source="livedoor-ja.jsonl.gz",
        target="livedoor-ja-sample.jsonl.gz",
        size=400,
        keywords=("防衛", "小泉", "首相", "スマートフォン"),
        licence_source="LICENSE-livedoor.txt",
        licence_target="LICENSE-livedoor.txt",
    ),
    Sample(
        source="bbc-en.jsonl.gz",
        target="bbc-en-sample.jsonl.gz",
        size=200,
        keywords=("Japan", "Korea"),
        licence_source="LICENSE-bbc.txt",
        licence_target="LICENSE-bbc.txt",
    ),
)


def read_lines(path: Path) -> list[bytes]:
    """Return the raw JSON lines of a gzipped JSONL file (without the newline)."""
    with gzip.open(path, "rb") as fh:
        data = fh.read()
    return [line for line in data.split(b"\n") if line.strip()]


def select(records: list[dict], size: int, keywords: tuple[str, ...], rng: random.Random) -> list[int]:
    """Return the sorted indices of the selected records."""
    chosen: set[int] = set()
    for keyword in keywords:
        group = [
            i
            for i, r in enumerate(records)
            if keyword in r.get("title", "") or keyword in r.get("body", "")
        ]
        if len(group) > CAP:
            group = rng.sample(group, CAP)
        chosen.update(group)
    rest = [i for i in range(len(records)) if i not in chosen]
    missing = max(0, size - len(chosen))
    chosen.update(rng.sample(rest, min(missing, len(rest))))
    return sorted(chosen)


def gzip_bytes(payload: bytes) -> bytes:
    """Gzip *payload* reproducibly (no file name, mtime 0)."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(payload)
    return buf.getvalue()


def build() -> dict[Path, bytes]:
    """Return the content of every output file, keyed by path."""
    outputs: dict[Path, bytes] = {}
    for sample in SAMPLES:
        rng = random.Random(SEED)
        lines = read_lines(DATA / sample.source)
        records = [json.loads(line) for line in lines]
        indices = select(records, sample.size, sample.keywords, rng)
        picked = [lines[i] for i in indices]
        # Sanity check: the copies decode to exactly the source records.
        assert [json.loads(line) for line in picked] == [records[i] for i in indices]
        outputs[SEEDS / sample.target] = gzip_bytes(b"".join(line + b"\n" for line in picked))
        outputs[SEEDS / sample.licence_target] = (DATA / sample.licence_source).read_bytes()
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="only check that the files in seeds/ are up to date"
    )
    args = parser.parse_args(argv)

    outputs = build()
    stale = [p for p, data in outputs.items() if not p.is_file() or p.read_bytes() != data]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}", file=sys.stderr)
        return 1 if stale else 0

    SEEDS.mkdir(exist_ok=True)
    for path, data in outputs.items():
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")
    for sample in SAMPLES:
        with gzip.open(SEEDS / sample.target, "rt", encoding="utf-8") as fh:
            count = sum(1 for line in fh if line.strip())
        print(f"{sample.target}: {count} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
