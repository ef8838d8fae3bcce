"""Agreement between annotators on a dataset's questions, for the dashboard (DESIGN §4, issue 5)."""

from django.db.models import Count, F, FloatField, Q, Sum, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Length

from .. import agreement
from ..models import Dataset, Response


def dataset_agreement(*, dataset: Dataset) -> list[dict]:
    """Agreement per rating and label question, overlap per text question (DESIGN §4, issue 5).

    Ratings and labels: Krippendorff's alpha (interval for ratings, nominal for labels) over
    the records holding at least two submitted answers, with the number of such records. Text
    questions: how many records hold more than one submitted demonstration. The alpha comes from
    sums the database aggregates per record and then over records (`labeling.agreement`), so one
    query per question whatever the number of records; `exports.reconcile.Alpha` applies the same
    formula to individual answers.
    """
    submitted = Response.objects.filter(record__dataset=dataset, status=Response.Status.SUBMITTED)
    rows = []
    for question in dataset.questions.all():
        answer = KeyTextTransform(question.name, "values")
        row = {"question": question.name, "title": question.title, "type": question.type}
        if question.type == "rating":
            row.update(_interval_alpha(submitted.annotate(x=Cast(answer, FloatField())).filter(x__isnull=False)))
        elif question.type == "label_selection":
            options = [option["value"] for option in question.settings.get("options", [])]
            # Cast to text so comparisons are plain string ones, not JSON lookups.
            label = Cast(answer, TextField())
            row.update(_nominal_alpha(submitted.annotate(label=label).filter(label__in=options), options))
        elif question.type == "text":
            per_record = (
                submitted.annotate(length=Length(answer)).filter(length__gt=0)
                .values("record_id").annotate(n=Count("id")).filter(n__gte=2)
            )
            row["records_with_several"] = per_record.count()
        else:
            continue
        rows.append(row)
    return rows


def _as_float(expression):
    return Cast(expression, FloatField())


def _interval_alpha(answers) -> dict:
    """Interval alpha over the records holding at least two answers `x`."""
    units = (
        answers.values("record_id")
        .annotate(m=Count("id"), s1=Sum("x"), s2=Sum(F("x") * F("x")))
        .filter(m__gte=2)
    )
    totals = units.aggregate(
        units=Count("record_id"), n=Sum("m"), t1=Sum("s1"), t2=Sum("s2"),
        observed=Sum(agreement.interval_disagreement(_as_float("m"), F("s1"), F("s2"))),
    )
    if not totals["units"]:
        return {"alpha": None, "records": 0}
    expected = agreement.interval_expected(totals["n"], totals["t1"], totals["t2"])
    return {"alpha": agreement.alpha(totals["n"], totals["observed"], expected), "records": totals["units"]}


def _nominal_alpha(answers, options: list) -> dict:
    """Nominal alpha over the records holding at least two answers `label` among `options`."""
    per_option = {f"c{index}": Count("id", filter=Q(label=option)) for index, option in enumerate(options)}
    units = answers.values("record_id").annotate(m=Count("id"), **per_option).filter(m__gte=2)
    same = sum((F(name) * F(name) for name in per_option), Value(0))
    totals = units.aggregate(
        units=Count("record_id"), n=Sum("m"),
        observed=Sum(agreement.nominal_disagreement(_as_float("m"), same)),
        **{f"n_{name}": Sum(name) for name in per_option},
    )
    if not totals["units"]:
        return {"alpha": None, "records": 0}
    expected = agreement.nominal_expected(totals["n"], (totals[f"n_{name}"] or 0 for name in per_option))
    return {"alpha": agreement.alpha(totals["n"], totals["observed"], expected), "records": totals["units"]}
