"""CSV exports never open as formulas in a spreadsheet (DESIGN §9), checked with LibreOffice Calc itself.

The export's CSV is converted by LibreOffice headless, importing with formulas evaluated, once as
opened plainly and once with "Trim spaces" on (which turns a leading space into nothing), and no
cell of the result may hold a formula. The same values written without neutralising are converted
alongside, so the check is known to see formulas when they are there.
"""

import csv
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from exports.formats.csv import neutralise

PAYLOADS = [
    "=1+1", "+1+1", "-1+1", "@SUM(1;1)", "=HYPERLINK(\"http://example.com\";\"x\")",
    " =1+1", "  =1+1", " +1+1", " -1+1", " @SUM(1;1)",
    "\n=1+1", "\r\n=1+1", "\t=1+1", "\r=1+1", "\t", "\r",
    "＝1+1", "＋1+1", "－1+1", "＠SUM(1;1)", " ＝1+1", "\u3000=1+1", "\xa0=1+1",
]
# Answers must hold more than whitespace; the rest all go through an export.
EXPORTED = [text for text in PAYLOADS if text.strip()]
HARMLESS = ["plain text", "a=1+1", "1+1", ""]
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
# Comma-separated, double-quoted, UTF-8, from line 1, standard columns, default language, quoted fields
# not forced to text, no special numbers; token 11 trims spaces; token 13 evaluates formulas.
CSV_IMPORT = "CSV:44,34,76,1,,0,false,false,false,false,{trim},-1,true"


@pytest.mark.parametrize("text", PAYLOADS)
def test_would_be_formulas_are_prefixed_with_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_left_alone(text):
    assert neutralise(text) == text


@pytest.fixture
def soffice():
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI_REQUIRE_SERVICES"):
            pytest.fail("CI_REQUIRE_SERVICES is set but LibreOffice's soffice is missing (.ci/run installs libreoffice-calc).")
        pytest.skip("needs LibreOffice Calc: apt-get install -y libreoffice-calc (CI installs it)")
    return found


def formula_cells(soffice: str, csv_paths: list, out_dir, *, trim: bool) -> dict[str, list[str]]:
    """Convert CSV files with Calc; for each file's name, the formulas of its cells."""
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{out_dir}/profile",
         f"--infilter={CSV_IMPORT.format(trim=str(trim).lower())}", "--convert-to", "fods",
         "--outdir", str(out_dir), *map(str, csv_paths)],
        check=True, capture_output=True, timeout=120,
    )
    found = {}
    for path in csv_paths:
        tree = ET.parse(out_dir / f"{path.stem}.fods")
        cells = tree.iter(f"{{{TABLE}}}table-cell")
        found[path.stem] = [cell.get(f"{{{TABLE}}}formula") for cell in cells if cell.get(f"{{{TABLE}}}formula")]
    return found


def test_no_exported_cell_opens_as_a_formula_in_libreoffice(
    soffice, rich_dataset, labelers, add_records, answer, run_export, job_file, tmp_path
):
    records = add_records(rich_dataset, [
        {"fields": {"prompt": text, "context": text}, "external_id": f"ext-{i}", "metadata": {"lang": text}}
        for i, text in enumerate(EXPORTED)
    ])
    for record, text in zip(records, EXPORTED):
        answer(labelers[0], record, demonstration=text, note=text)
    job = run_export([rich_dataset], "csv", prompt_field="prompt", demonstration_question="demonstration",
                     input_field="context")
    assert job.status == "succeeded", job.error
    exported = tmp_path / "exported.csv"
    shutil.copy(job_file.path(job), exported)
    with open(exported, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["completion"] for row in rows) == sorted(neutralise(text) for text in EXPORTED)
    raw = tmp_path / "raw.csv"
    with open(raw, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[text] for text in EXPORTED])

    for trim in (False, True):
        found = formula_cells(soffice, [exported, raw], tmp_path / f"trim-{trim}", trim=trim)
        assert found["exported"] == []
        # The same values un-neutralised do open as formulas, leading spaces too once trimmed.
        assert "of:=1+1" in found["raw"]
        assert found["raw"].count("of:=1+1") >= (2 if trim else 1)
