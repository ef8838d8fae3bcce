"""Turning records and their answers into rows (DESIGN §5): reconciliation, filters, splits, dedupe.

`ExamplePipeline` makes the training formats' examples from `reading.example_chunks`, reconciling
several answers through `exports.reconcile`; `full_record` makes a records.jsonl row from
`reading.record_chunks`. Both are plain Python over plain values: no database here.
"""

import hashlib
import random

from exports import reconcile
from exports.formats import Example
from exports.pipeline.options import ExportOptions
from exports.pipeline.report import Report


def full_record(dataset_label: str, record: dict, responses: list[dict], suggestions: list[dict]) -> dict:
    """A record for records.jsonl: everything we hold about it."""
    return {
        "id": str(record["id"]),
        "dataset": dataset_label,
        "external_id": record["external_id"],
        "status": record["status"],
        "fields": record["fields"],
        "metadata": record["metadata"],
        "inserted_at": record["inserted_at"],
        "updated_at": record["updated_at"],
        "suggestions": [
            {"question": s["question__name"], "value": s["value"], "score": s["score"], "agent": s["agent"],
             "type": s["type"]}
            for s in suggestions
        ],
        "responses": [
            {"user": r["user__username"], "status": r["status"], "values": r["values"],
             "started_at": r["started_at"], "submitted_at": r["submitted_at"],
             "inserted_at": r["inserted_at"], "updated_at": r["updated_at"]}
            for r in responses
        ],
    }


# Answers read for every format: they feed the agreement figures or report ties. The others only fill columns.
ALWAYS_READ = ("rating", "label_selection", "multi_label_selection")


class ExamplePipeline:
    """Turn one record and its answers into training examples: reconcile, filter, split.

    `with_answers` (the flat formats) reconciles every other question into `Example.answers`; without it
    only what the report (ties, agreement) and the filters need is read and computed.
    """

    def __init__(self, options: ExportOptions, report: Report, *, with_answers: bool):
        self.options = options
        self.report = report
        self.with_answers = with_answers
        self.seen_prompts: set[bytes] = set()
        self.min_rating_question = (options.min_rating or {}).get("question")
        needed = {options.rating_question, self.min_rating_question}
        self.value_questions = [
            (name, kind) for name, kind in options.answer_questions
            if with_answers or kind in ALWAYS_READ or name in needed
        ]
        self.alphas = {
            name: reconcile.Alpha("interval" if kind == "rating" else "nominal")
            for name, kind in options.answer_questions
            if kind in ("rating", "label_selection")
        }
        self.text_answer_questions = [name for name, kind in options.answer_questions if kind == "text"]

    def examples(self, dataset_label: str, record: tuple, answers: list[reconcile.Answer]) -> list[Example]:
        """The examples of one record from `example_chunks`; answers come oldest first."""
        options, report = self.options, self.report
        if not answers:
            report.dropped["no_response"] += 1
            return []
        record_id, external_id, prompt, input_text, metadata = record
        reconciled = self._reconcile_answers(record_id, answers)
        if self.min_rating_question:
            rating = reconciled[self.min_rating_question]
            if rating is None or rating < options.min_rating["value"]:
                report.dropped["below_min_rating" if rating is not None else "unrated"] += 1
                return []
        choice = reconcile.choose_texts(
            answers, options.demonstration_question, options.text_strategy,
            seed=options.seed, record_key=str(record_id) if options.text_strategy == "random" else "",
            rating_question=options.rating_question, in_time_order=True,
        )
        if not choice.answers:
            report.dropped["no_demonstration"] += 1
            return []
        if choice.is_tie:
            report.tie(options.demonstration_question, record_id, [a.user for a in answers])
        if options.text_strategy != "all" and len(answers) > 1:
            report.reconciled_records += 1
        if options.dedupe:
            digest = hashlib.blake2b(prompt.encode(), digest_size=16).digest()
            if digest in self.seen_prompts:
                report.dropped["duplicate_prompt"] += 1
                return []
            self.seen_prompts.add(digest)
        split = None
        if options.test_size:
            # Per record, so every example of a record lands on the same side (no leakage).
            draw = random.Random(f"{options.split_seed}:{record_id}").random()
            split = "test" if draw < options.test_size else "train"
            report.splits[split] += len(choice.answers)
        demonstration, system, annotated = options.demonstration_question, options.system_prompt, self.with_answers
        examples = []
        for answer in choice.answers:
            if annotated:
                answers_out = dict(reconciled)
                for name in self.text_answer_questions:
                    answers_out[name] = answer.values.get(name)
            else:
                answers_out = {}
            examples.append(Example(
                record_id=record_id, external_id=external_id, dataset=dataset_label, prompt=prompt,
                completion=answer.values[demonstration], system=system, input=input_text,
                annotator=answer.user, answers=answers_out, metadata=metadata, split=split,
            ))
        report.examples += len(examples)
        return examples

    def _reconcile_answers(self, record_id, answers: list[reconcile.Answer]) -> dict:
        reconciled = {}
        for name, kind in self.value_questions:
            values = [value for a in answers if (value := a.values.get(name)) is not None]
            if kind == "rating":
                if self.with_answers or name == self.min_rating_question:
                    reconciled[name] = reconcile.aggregate_rating(values, self.options.rating_aggregate)
            elif kind == "label_selection":
                vote = reconcile.majority_label(values)
                reconciled[name] = vote.value
                if vote.tied:
                    self.report.tie(name, record_id, vote.tied)
            elif kind == "multi_label_selection":
                vote = reconcile.multi_label_majority(values)
                reconciled[name] = vote.value
                if vote.tied:
                    self.report.tie(name, record_id, vote.tied)
            elif kind == "ranking":
                reconciled[name] = reconcile.mean_rank(values)
            if name in self.alphas:
                self.alphas[name].add_unit(values)
        return reconciled

    def agreement(self) -> dict:
        return {
            name: {"level": alpha.level, "krippendorff_alpha": alpha.value(), "records": alpha.units}
            for name, alpha in self.alphas.items()
        }
