"""Turning records and their answers into rows (DESIGN §5): reconciliation, filters, splits, dedupe.

`ExamplePipeline` makes the training formats' examples of one consolidation group (`grouping`),
reconciling several answers through `exports.reconcile`; `full_record` makes a records.jsonl row from
`reading.record_chunks`. Both are plain Python over plain values: no database here.
"""

import hashlib

from exports import reconcile
from exports.formats import Example
from exports.pipeline.options import ExportOptions, aggregate_column
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
            {"id": str(r["id"]), "user": r["user__username"], "status": r["status"], "values": r["values"],
             "review_status": r["review_status"], "version": r["version"],
             "started_at": r["started_at"], "submitted_at": r["submitted_at"],
             "inserted_at": r["inserted_at"], "updated_at": r["updated_at"],
             "versions": [history_entry(v) for v in r["versions"]]}
            for r in responses
        ],
    }


def history_entry(version: dict) -> dict:
    """One entry of a response's history in records.jsonl. `author` wrote it: the labeler, or the reviewer who
    accepted, rejected or fixed it (`kind` is then the review decision, `reviewed_number` the version decided on);
    a fix's values are the reviewer's text, while the response stays its labeler's."""
    return {
        "number": version["number"], "kind": version["kind"], "values": version["values"], "status": version["status"],
        "review_status": version["review_status"], "reviewed_number": version["reviewed_number"],
        "comment": version["comment"], "author": version["author_name"] or None, "inserted_at": version["inserted_at"],
    }


# Answers read for every format: they feed the agreement figures or report ties. The others only fill columns.
ALWAYS_READ = ("rating", "label_selection", "multi_label_selection")


class ExamplePipeline:
    """Turn one group (the records of one prompt, across datasets) and its answers into training examples.

    Every strategy, filter and agreement figure works over all of a group's answers, exactly as over one
    record's (DESIGN §5). `with_answers` (the flat formats) puts each row's own answers and the group's
    aggregates into `Example.answers`; without it only what the report and the filters need is computed.
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
        self.own_questions = [name for name, _ in options.answer_questions]
        self.aggregates = [
            (name, column) for name, kind in options.answer_questions
            if (column := aggregate_column(name, kind, options))
        ]

    def examples(self, key: str, members: list[tuple]) -> list[Example]:
        """The examples of one group: members are (dataset label, record, answers), answers oldest first."""
        options, report = self.options, self.report
        if len(members) == 1:
            label, record, answers = members[0]
            owners = None
        else:
            # Answers of several records, merged in time order (each record's already are).
            owned = sorted(((a, m) for m in members for a in m[2]), key=lambda item: (item[0].when or "",))
            answers = [a for a, _ in owned]
            owners = {id(a): m for a, m in owned}
        if not answers:
            report.dropped["no_response"] += 1
            return []
        reconciled = self._reconcile_answers(key, answers)
        if self.min_rating_question:
            rating = reconciled[self.min_rating_question]
            if rating is None or rating < options.min_rating["value"]:
                report.dropped["below_min_rating" if rating is not None else "unrated"] += 1
                return []
        choice = reconcile.choose_texts(
            answers, options.demonstration_question, options.text_strategy,
            seed=options.seed, record_key=key if options.text_strategy == "random" else "",
            rating_question=options.rating_question, in_time_order=True,
        )
        if not choice.answers:
            report.dropped["no_demonstration"] += 1
            return []
        if choice.is_tie:
            report.tie(options.demonstration_question, key, [a.user for a in answers])
        if options.text_strategy != "all" and len(answers) > 1:
            report.reconciled_records += 1
        if options.dedupe:
            prompt = (owners[id(choice.answers[0])] if owners else members[0])[1][2]
            digest = hashlib.blake2b(prompt.encode(), digest_size=16).digest()
            if digest in self.seen_prompts:
                report.dropped["duplicate_prompt"] += 1
                return []
            self.seen_prompts.add(digest)
        report.decision(key, options, answers, choice)
        aggregates = {column: reconciled.get(name) for name, column in self.aggregates} if self.with_answers else None
        examples = []
        for answer in choice.answers:
            label, record, _ = owners[id(answer)] if owners else members[0]
            record_id, external_id, prompt, input_text, metadata = record
            if aggregates is not None:
                answers_out = {name: answer.values.get(name) for name in self.own_questions}
                answers_out.update(aggregates)
            else:
                answers_out = {}
            examples.append(Example(
                record_id=record_id, external_id=external_id, dataset=label, prompt=prompt,
                completion=answer.values[options.demonstration_question], system=options.system_prompt,
                input=input_text, annotator=answer.user, answers=answers_out, metadata=metadata,
            ))
        report.examples += len(examples)
        return examples

    def _reconcile_answers(self, key: str, answers: list[reconcile.Answer]) -> dict:
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
                    self.report.tie(name, key, vote.tied)
            elif kind == "multi_label_selection":
                vote = reconcile.multi_label_majority(values)
                reconciled[name] = vote.value
                if vote.tied:
                    self.report.tie(name, key, vote.tied)
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
