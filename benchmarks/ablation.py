"""Tabulate the UNet ablation runs of ``scripts/ablate.sh`` (run that script; it calls this).

    python benchmarks/ablation.py EPOCHS VARIANT...

Reads ``runs/v2/ablateEPOCHS-VARIANT/`` (training log, checkpoint state, scores on the held-out
synthetic test set) and the bundle's metadata; writes ``runs/v2/ablation-EPOCHS.md`` and ``.json``
and prints the table (the table of docs/unet-vs-cr2.md). A variant that has not finished is listed
with what it has so far. Seconds per epoch are in the JSON only: they are wall time on whatever
else the machine was doing, so they do not compare variants.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

RUNS = Path(__file__).resolve().parents[1] / "runs" / "v2"
METRICS = ("root", "thirds", "majmin", "sevenths", "tetrads", "mirex", "overseg")


def summarise(epochs: int, name: str) -> dict:
    """One variant's figures: its change, size, speed, validation and test scores."""
    run, bundle = RUNS / f"ablate{epochs}-{name}", RUNS / "bundles" / f"ablate{epochs}-{name}"
    row: dict = {"variant": name}
    meta_path = bundle / "bundle.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        hyper = meta["hyper_parameters"] or {}  # its input size follows the features
        row["change"] = {k: v for k, v in hyper.items() if k not in ("n_bins", "n_channels")}
        if "harmonics" in meta["features"]:
            row["change"]["harmonics"] = meta["features"]["harmonics"]
        row["parameters"] = meta["n_parameters"]
    log = run / "log.csv"
    rows = list(csv.DictReader(log.open())) if log.exists() else []
    if rows:  # at least one epoch done
        row["epochs"] = len(rows)
        best = min(rows, key=lambda r: float(r["val_loss"]))
        row["best_epoch"] = int(best["epoch"]) + 1
        row["val_tag_accuracy"] = float(best["val_chord_tag_sparse_categorical_accuracy"])
        row["val_tag_loss"] = float(best["val_chord_tag_loss"])
    state = run / "state.json"
    if state.exists() and row.get("epochs"):
        row["seconds_per_epoch"] = json.loads(state.read_text())["seconds"] / row["epochs"]
    test = run / "test.json"
    if test.exists():
        row["test"] = {k: json.loads(test.read_text())["weighted"][k] for k in METRICS}
    return row


def markdown(rows: list[dict], epochs: int) -> str:
    head = [
        "variant",
        "change",
        "parameters",
        "best epoch",
        "val tag accuracy",
        "val tag loss",
        *METRICS,
    ]
    lines = [
        f"UNet ablations, {epochs} epochs x 150 batches of 8 x 128 frames each, seed 0; best "
        "epoch by validation loss (data/v2/val); test = data/v2/test, duration-weighted.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for r in rows:
        change = ", ".join(f"`{k}={json.dumps(v)}`" for k, v in r.get("change", {}).items())
        if "change" not in r:
            change = "(not finished)"
        cells = [
            r["variant"],
            change or "(shipped)",
            f"{r['parameters']:,}" if "parameters" in r else "–",
            f"{r['best_epoch']}/{r['epochs']}" if "best_epoch" in r else "–",
            f"{r['val_tag_accuracy']:.3f}" if "val_tag_accuracy" in r else "–",
            f"{r['val_tag_loss']:.3f}" if "val_tag_loss" in r else "–",
            *(f"{r['test'][m]:.3f}" if "test" in r else "–" for m in METRICS),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) < 2 or not argv[0].isdigit():
        print("usage: python benchmarks/ablation.py EPOCHS VARIANT...", file=sys.stderr)
        return 2
    epochs = int(argv[0])
    rows = [summarise(epochs, name) for name in argv[1:]]
    table = markdown(rows, epochs)
    (RUNS / f"ablation-{epochs}.md").write_text(table)
    (RUNS / f"ablation-{epochs}.json").write_text(json.dumps(rows, indent=2))
    print(table, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
