"""Score the interview detector against a labelled corpus of events (JSON lines).

Usage: python benchmarks/detect_corpus.py [path] [--errors]

Prints precision, recall and F1 on ``interview``, and format and company accuracy among the
true interviews, for the whole corpus and for its even and odd ids (develop on one half,
check on the other). ``--errors`` lists every record the detector gets wrong.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syncd.detect import Rules, Verdict, classify
from syncd.detect_company import names_in_full, sender_domain
from syncd.detect_parties import read_parties

DEFAULT_CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus" / "interviews-dev.jsonl"


@dataclass(frozen=True)
class Scores:
    """Quality of the detector on one set of records."""

    records: int
    precision: float
    recall: float
    f1: float
    format_accuracy: float
    company_accuracy: float


def load(path: Path) -> list[dict]:
    """Read the corpus: one JSON object a line, blank lines skipped."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def verdict_for(record: dict) -> Verdict:
    """Classify a corpus record the way ``syncd classify`` does: ``self`` joins the rules."""
    rules = Rules(self_addresses=(record["self"],) if record.get("self") else ())
    return classify(record.get("summary", ""), record.get("description", ""),
                    record.get("location", ""), record.get("organizer", ""),
                    record.get("attendees", []), rules)


def score(pairs: Sequence[tuple[dict, Verdict]]) -> Scores:
    """Precision/recall/F1 on ``interview``; format and company accuracy on true interviews."""
    tp = sum(1 for r, v in pairs if r["interview"] and v.interview)
    fp = sum(1 for r, v in pairs if not r["interview"] and v.interview)
    fn = sum(1 for r, v in pairs if r["interview"] and not v.interview)
    positives = [(r, v) for r, v in pairs if r["interview"]]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(positives) or 1
    return Scores(
        records=len(pairs),
        precision=precision,
        recall=recall,
        f1=f1,
        format_accuracy=sum(1 for r, v in positives if v.format == r["format"]) / n,
        company_accuracy=sum(1 for r, v in positives if v.company == r["company"]) / n,
    )


def mistakes(pairs: Iterable[tuple[dict, Verdict]]) -> list[str]:
    """One line per record where interview, format or company disagrees with the label."""
    lines = []
    for record, verdict in pairs:
        wrong = []
        if verdict.interview != record["interview"]:
            wrong.append(f"interview={verdict.interview} ({verdict.score})")
        elif record["interview"] and verdict.format != record["format"]:
            wrong.append(f"format={verdict.format}, want {record['format']}")
        if record["interview"] and verdict.interview and verdict.company != record["company"]:
            wrong.append(f"company={verdict.company!r}, want {record['company']!r}")
        if wrong:
            lines.append(f"{record.get('id')}: {'; '.join(wrong)} | {record['summary'][:70]}"
                         f" | {'; '.join(verdict.reasons[:3])}")
    return lines


def calendar_company_accuracy(pairs: Sequence[tuple[dict, Verdict]]) -> float:
    """Company accuracy among true interviews once each owner's detected interviews are
    named together (``names_in_full``), as one planning pass names them."""
    owners: dict[str, list[tuple[dict, Verdict]]] = {}
    for record, verdict in pairs:
        if verdict.interview:
            owners.setdefault(record.get("self", ""), []).append((record, verdict))
    right = 0
    for found in owners.values():
        senders = [sender_domain(read_parties(r.get("organizer", ""), r.get("attendees", []),
                                              (r["self"],) if r.get("self") else ()))
                   for r, _ in found]
        names = names_in_full([(v.company, s) for (_, v), s in zip(found, senders)])
        right += sum(r["interview"] and name == r["company"] for (r, _), name in zip(found, names))
    return right / (sum(1 for r, _ in pairs if r["interview"]) or 1)


def _parity(record: dict) -> int:
    digits = "".join(c for c in str(record.get("id", "")) if c.isdigit())
    return int(digits or 0) % 2


def main(argv: Sequence[str]) -> int:
    """Print the score table (and, with --errors, the mistakes); return the exit code."""
    args = [a for a in argv if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT_CORPUS
    if not path.exists():
        print(f"corpus not found: {path}; skipped", file=sys.stderr)
        return 77  # run_all.py counts this as skipped
    pairs = [(record, verdict_for(record)) for record in load(path)]
    subsets = {
        "all": pairs,
        "even ids": [p for p in pairs if _parity(p[0]) == 0],
        "odd ids": [p for p in pairs if _parity(p[0]) == 1],
    }
    header = ("set", "n", "precision", "recall", "F1", "format", "company")
    print("{:<9} {:>4} {:>9} {:>7} {:>6} {:>7} {:>8}".format(*header))
    for name, subset in subsets.items():
        s = score(subset)
        print(f"{name:<9} {s.records:>4} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} "
              f"{s.format_accuracy:>7.3f} {s.company_accuracy:>8.3f}")
    print(f"company, each owner's interviews named together as planning does: "
          f"{calendar_company_accuracy(pairs):.3f}")
    started = time.perf_counter()
    for record in load(path):
        verdict_for(record)  # a fresh detector each: nothing remembered from one to the next
    elapsed = time.perf_counter() - started
    print(f"detector, cold: {len(pairs) / elapsed:,.0f} events/s ({len(pairs)} events, "
          f"{elapsed * 1000 / len(pairs):.2f} ms each)")
    if "--errors" in argv:
        print(*mistakes(pairs), sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
