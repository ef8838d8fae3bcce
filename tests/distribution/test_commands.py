"""`manage.py distribute` and `manage.py reassign`: what they change and what they print."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from labeling.models import Assignment

from ..factories import MetadataPropertyFactory, RecordFactory


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def team(make_annotators, make_records):
    return make_annotators(3), make_records(4, category="card_arrival") + make_records(2, category="other")


def test_distribute_with_a_filter_prints_what_changed_and_is_idempotent(team):
    out = run("distribute", "acme/demo", "--annotators", "lab0,lab1", "--per-record", "2",
              "--filter", "metadata.category=card_arrival")
    assert "4 records selected, 4 given more annotators, 8 assignments created" in out
    assert "lab0: +4 (holds 4)" in out and "lab1: +4 (holds 4)" in out
    again = run("distribute", "acme/demo", "--annotators", "lab0,lab1", "--per-record", "2",
                "--filter", "metadata.category=card_arrival")
    assert "0 assignments created" in again
    assert Assignment.objects.count() == 8


def test_distribute_to_all_with_repeated_filter_values_and_integer_metadata(team, dataset):
    MetadataPropertyFactory(dataset=dataset, name="length", type="integer", settings={"type": "integer"})
    RecordFactory(dataset=dataset, metadata={"length": 3})
    out = run("distribute", "acme/demo", "--all", "--per-record", "1", "--filter", "metadata.length=3")
    assert "1 records selected" in out
    out = run("distribute", "acme/demo", "--all", "--per-record", "1",
              "--filter", "metadata.category=card_arrival", "--filter", "metadata.category=other")
    assert "6 records selected" in out and Assignment.objects.count() == 7


@pytest.mark.parametrize("args, message", [
    (["nope/demo", "--all", "--per-record", "1"], "No dataset 'nope/demo'"),
    (["acme", "--all", "--per-record", "1"], "WORKSPACE/DATASET"),
    (["acme/demo", "--annotators", "lab0,wsadmin", "--per-record", "1"], "wsadmin"),
    (["acme/demo", "--all", "--per-record", "4"], "only 3 are chosen"),
    (["acme/demo", "--all", "--per-record", "1", "--filter", "category=x"], "metadata.NAME=VALUE"),
])
def test_distribute_refuses_bad_arguments_and_writes_nothing(team, admin, args, message):
    with pytest.raises(CommandError, match=message):
        run("distribute", *args)
    assert not Assignment.objects.exists()


def test_reassign_moves_unanswered_records_and_prints_them(team):
    run("distribute", "acme/demo", "--annotators", "lab0,lab1", "--per-record", "1")
    out = run("reassign", "acme/demo", "--from", "lab0", "--to", "lab2")
    assert "moved 3 records from lab0; kept 0 they answered" in out and "lab2: +3" in out
    assert not Assignment.objects.filter(user__username="lab0").exists()
    assert "moved 0 records" in run("reassign", "acme/demo", "--from", "lab0")
    with pytest.raises(CommandError, match="stranger"):
        run("reassign", "acme/demo", "--from", "stranger")
