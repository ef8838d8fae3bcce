"""The JSON formats assemble their lines from pre-encoded strings; the bytes match json.dumps exactly."""

import json
import uuid

from hypothesis import given
from hypothesis import strategies as st

from exports.formats import Example, alpaca, records_jsonl, sft_messages, sft_prompt_completion

# Every code point that can be written as UTF-8: quotes, backslashes, control characters, U+2028, emoji...
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


def example(prompt, completion, system=None, input=None):
    return Example(record_id=uuid.uuid4(), external_id=None, dataset="ws/ds", prompt=prompt, completion=completion,
                   system=system, input=input)


def dumps(value):
    return json.dumps(value, ensure_ascii=False)


@given(TEXT, TEXT, st.one_of(st.none(), TEXT.filter(bool)))
def test_sft_messages_line_is_what_json_dumps_writes(prompt, completion, system):
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": prompt}, {"role": "assistant", "content": completion}]
    assert sft_messages.row(example(prompt, completion, system)) == dumps({"messages": messages})


@given(TEXT, TEXT, st.one_of(st.none(), TEXT.filter(bool)))
def test_prompt_completion_line_is_what_json_dumps_writes(prompt, completion, system):
    if system:
        expected = {"prompt": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
                    "completion": [{"role": "assistant", "content": completion}]}
    else:
        expected = {"prompt": prompt, "completion": completion}
    assert sft_prompt_completion.row(example(prompt, completion, system)) == dumps(expected)


@given(TEXT, TEXT, st.one_of(st.none(), TEXT))
def test_alpaca_element_is_what_json_dumps_writes(prompt, completion, input):
    expected = {"instruction": prompt, "input": input or "", "output": completion}
    assert alpaca.row(example(prompt, completion, input=input)) == dumps(expected)


def test_records_line_keeps_key_order_and_non_ascii():
    record = {"id": "r1", "fields": {"prompt": "ünï \u2028 \"q\""}, "metadata": {"n": 1.5, "ok": True}, "responses": []}
    assert records_jsonl.row(record) == json.dumps(record, ensure_ascii=False, default=str)


def test_alpaca_writer_streams_one_array(tmp_path):
    path = tmp_path / "a.json"
    writer = alpaca.Writer(str(path))
    writer.write_rows([alpaca.row(example("p1", "c1"))])
    writer.write_rows([])
    writer.write_rows([alpaca.row(example("p2", "c2")), alpaca.row(example("p3", "c3", input="i"))])
    writer.close()
    assert [row["output"] for row in json.loads(path.read_text(encoding="utf-8"))] == ["c1", "c2", "c3"]


def test_json_lines_writer_writes_one_line_per_row(tmp_path):
    path = tmp_path / "x.jsonl"
    writer = sft_messages.Writer(str(path))
    writer.write_rows([sft_messages.row(example("a\nb", "c"))])
    writer.write_rows([])
    writer.write_rows([sft_messages.row(example("d", "e")), sft_messages.row(example("f", "g"))])
    writer.close()
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and [json.loads(line)["messages"][0]["content"] for line in lines[:-1]] == ["a\nb", "d", "f"]
