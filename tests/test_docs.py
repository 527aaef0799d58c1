"""The README states what the shipped bundles record: its score table is checked against them
(reads JSON and text only, so it runs with the quick tests)."""

from __future__ import annotations

from pathlib import Path

from chordview.bundle import read_meta, resolve

README_SETS = {
    "`data/v2/test`": "synthetic-test",
    "`data/v2/test-chorale`": "synthetic-test-chorale",
    "`data/v2/test-hymn`": "synthetic-test-hymn",
    "RomanText set": "romantext",
}


def _readme_score_rows() -> list[tuple[str, str, dict[str, str]]]:
    """(score set, model, {metric: printed value}) for each row of the README's table of the
    shipped bundles' scores, the first table under "## The models" that has a majmin column."""
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text.split("## The models", 1)[1]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    start = next(i for i, line in enumerate(lines) if "| majmin |" in line)
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows, current = [], None
    for line in lines[start + 2 :]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) != len(header):
            break
        if cells[0]:
            current = next((key for label, key in README_SETS.items() if label in cells[0]), None)
            assert current is not None, f"README row of an unknown set: {cells[0]}"
        rows.append((current, cells[1], dict(zip(header[2:], cells[2:], strict=True))))
    return rows


def test_readme_prints_the_scores_the_shipped_bundles_record():
    rows = _readme_score_rows()
    assert {(key, model) for key, model, _ in rows} == {
        (key, model) for key in README_SETS.values() for model in ("unet", "cr2")
    }
    for key, model, printed in rows:
        recorded = read_meta(resolve(model))["scores"][key]
        for metric, value in printed.items():
            assert value == f"{recorded[metric]:.3f}", f"README {model} {key} {metric}: {value}"
