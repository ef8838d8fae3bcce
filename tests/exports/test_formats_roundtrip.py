"""Every export format loads back with Hugging Face `datasets` exactly as submitted (DESIGN §5)."""

import json
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
datasets = pytest.importorskip("datasets")

from exports.formats.csv import neutralise  # noqa: E402

LONG = "Long answer. " * 8_000
PROMPTS = [
    "Explain ünïcödé: 你好, مرحبا, 🙂",
    "# Markdown\n\n- item one\n- item two\n\n```python\nprint('x')\n```",
    "=SUM(A1:A2) looks like a formula",
    "Short prompt",
]


@pytest.fixture
def submitted(rich_dataset, labelers, add_records, answer):
    records = add_records(rich_dataset, [
        {"fields": {"prompt": p}, "external_id": f"ext-{i}", "metadata": {"lang": "en", "level": i}}
        for i, p in enumerate(PROMPTS)
    ])
    ann1, ann2, _ = labelers
    answer(ann1, records[0], demonstration="Réponse: ✓ done", quality=5, topic="a", tags=["a", "b"],
           order=[{"value": "a", "rank": 1}, {"value": "b", "rank": 2}], note="n1")
    answer(ann2, records[0], demonstration="- a list answer\n- second", quality=4, topic="a", tags=["a"],
           order=[{"value": "b", "rank": 1}, {"value": "a", "rank": 2}])
    answer(ann1, records[1], demonstration=LONG)  # every optional question left empty
    answer(ann1, records[2], demonstration="@mention and +plus")
    answer(ann2, records[3], demonstration="draft only", status="draft")  # not exported by default
    return records


def expected_pairs():
    return [
        (PROMPTS[0], "Réponse: ✓ done"),
        (PROMPTS[0], "- a list answer\n- second"),
        (PROMPTS[1], LONG),
        (PROMPTS[2], "@mention and +plus"),
    ]


def load(kind, path, tmp_path):
    return list(datasets.load_dataset(kind, data_files=str(path), split="train", cache_dir=str(tmp_path / "hf")))


def test_sft_messages_loads_as_conversations(rich_dataset, submitted, run_export, job_file, tmp_path):
    job = run_export([rich_dataset], "sft-messages", prompt_field="prompt", demonstration_question="demonstration", system_prompt="Be kind.")
    assert job.status == "succeeded", job.error
    rows = load("json", job_file.path(job), tmp_path)
    assert rows == [
        {"messages": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": p},
                      {"role": "assistant", "content": c}]}
        for p, c in expected_pairs()
    ]
    assert job.row_count == 4


def test_sft_messages_without_system_prompt_has_two_turns(rich_dataset, submitted, run_export, job_file, tmp_path):
    job = run_export([rich_dataset], "sft-messages", prompt_field="prompt", demonstration_question="demonstration")
    rows = load("json", job_file.path(job), tmp_path)
    assert [r["messages"] for r in rows] == [
        [{"role": "user", "content": p}, {"role": "assistant", "content": c}] for p, c in expected_pairs()
    ]


def test_prompt_completion_is_standard_or_conversational(rich_dataset, submitted, run_export, job_file, tmp_path):
    job = run_export([rich_dataset], "sft-prompt-completion", prompt_field="prompt", demonstration_question="demonstration")
    assert load("json", job_file.path(job), tmp_path) == [{"prompt": p, "completion": c} for p, c in expected_pairs()]
    job = run_export([rich_dataset], "sft-prompt-completion", prompt_field="prompt", demonstration_question="demonstration", system_prompt="S")
    rows = load("json", job_file.path(job), tmp_path / "2")
    assert rows[0] == {
        "prompt": [{"role": "system", "content": "S"}, {"role": "user", "content": PROMPTS[0]}],
        "completion": [{"role": "assistant", "content": "Réponse: ✓ done"}],
    }


def test_alpaca_is_one_json_array(rich_dataset, submitted, run_export, job_file, tmp_path):
    job = run_export([rich_dataset], "alpaca", prompt_field="prompt", demonstration_question="demonstration", input_field="context")
    with open(job_file.path(job), encoding="utf-8") as handle:
        assert isinstance(json.load(handle), list)
    assert load("json", job_file.path(job), tmp_path) == [
        {"instruction": p, "input": "", "output": c} for p, c in expected_pairs()
    ]


def test_parquet_keeps_types_and_reconciled_columns(rich_dataset, submitted, run_export, job_file, tmp_path):
    job = run_export([rich_dataset], "parquet", prompt_field="prompt", demonstration_question="demonstration")
    rows = load("parquet", job_file.path(job), tmp_path)
    assert [(r["prompt"], r["completion"]) for r in rows] == expected_pairs()
    first, second, long_row, _ = rows
    # Each row holds its annotator's own answers; the group's aggregates sit beside them.
    assert (first["quality"], second["quality"], first["quality_mean"], second["quality_mean"]) == (5.0, 4.0, 4.5, 4.5)
    assert first["topic"] == "a" and first["topic_majority"] == "a"
    assert (first["tags"], second["tags"], first["tags_majority"]) == (["a", "b"], ["a"], ["a"])
    assert json.loads(first["order"]) == [{"value": "a", "rank": 1}, {"value": "b", "rank": 2}]
    assert json.loads(first["order_mean_rank"]) == {"a": 1.5, "b": 1.5}
    assert (first["annotator"], first["note"], second["annotator"], second["note"]) == ("ann1", "n1", "ann2", None)
    assert long_row["quality"] is None and long_row["quality_mean"] is None and long_row["topic"] is None
    assert long_row["tags"] is None
    assert json.loads(first["metadata"]) == {"lang": "en", "level": 0}
    assert first["external_id"] == "ext-0" and first["dataset"] == "acme/rich"


def test_csv_round_trips_with_formulas_neutralised(rich_dataset, submitted, run_export, job_file, tmp_path):
    job = run_export([rich_dataset], "csv", prompt_field="prompt", demonstration_question="demonstration")
    rows = load("csv", job_file.path(job), tmp_path)
    assert [(r["prompt"], r["completion"]) for r in rows] == [(neutralise(p), neutralise(c)) for p, c in expected_pairs()]
    assert rows[3]["prompt"] == "'=SUM(A1:A2) looks like a formula"
    assert rows[1]["completion"].startswith("'- a list")
    assert (rows[0]["quality"], rows[1]["quality"], rows[0]["quality_mean"]) == (5.0, 4.0, 4.5)
    assert rows[2]["quality"] is None and rows[2]["quality_mean"] is None
    assert json.loads(rows[0]["tags"]) == ["a", "b"] and json.loads(rows[0]["tags_majority"]) == ["a"]


def test_records_jsonl_keeps_everything(rich_dataset, submitted, run_export, job_file, tmp_path):
    job = run_export([rich_dataset], "records", prompt_field="prompt", demonstration_question="demonstration")
    rows = job_file.lines(job)
    assert len(rows) == 4 and [r["fields"]["prompt"] for r in rows] == PROMPTS
    first = rows[0]
    assert [(r["user"], r["status"]) for r in first["responses"]] == [("ann1", "submitted"), ("ann2", "submitted")]
    assert first["responses"][0]["values"]["tags"] == ["a", "b"] and first["responses"][0]["submitted_at"]
    assert rows[3]["responses"][0]["status"] == "draft"
    assert first["metadata"] == {"lang": "en", "level": 0} and first["external_id"] == "ext-0"
    loaded = load("json", job_file.path(job), tmp_path)
    assert [r["id"] for r in loaded] == [r["id"] for r in rows]


def test_seeded_split_gives_two_files_or_a_column(rich_dataset, labelers, add_records, answer, run_export, job_file, tmp_path):
    records = add_records(rich_dataset, [f"prompt {i}" for i in range(40)])
    for record in records:
        answer(labelers[0], record, demonstration=f"answer to {record.fields['prompt']}")
    job = run_export([rich_dataset], "sft-messages", prompt_field="prompt", demonstration_question="demonstration", test_size=0.25, split_seed=3)
    train, test = load("json", job_file.path(job, "train"), tmp_path), load("json", job_file.path(job, "test"), tmp_path / "t")
    assert (len(train), len(test)) == (30, 10)
    report = job_file.json(job)
    assert report["splits"] == {"train": {"groups": 30, "examples": 30}, "test": {"groups": 10, "examples": 10},
                                "groups_in_both": 0}
    again = run_export([rich_dataset], "parquet", prompt_field="prompt", demonstration_question="demonstration", test_size=0.25, split_seed=3)
    rows = load("parquet", job_file.path(again), tmp_path / "p")
    test_prompts = {r["messages"][0]["content"] for r in test}
    assert {r["prompt"] for r in rows if r["split"] == "test"} == test_prompts
