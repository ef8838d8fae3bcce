"""The portal's review queue (the review issue): a record with every submitted answer side by side, and
a decision per answer (accept, reject with a comment, fix), keyboard-first like the annotation page.

Views parse the request, fetch through the review selectors (a dataset the user may not read is a 404,
a caller who may not review gets a 403), call one review service and render. A refused decision (a
missing comment, invalid fixed values) is shown beside its answer and nothing is written; a stale one
(the answer changed since the page was drawn) is shown as a message over the page redrawn with the
answer's newest version.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from config.errors import Conflict, DomainError, InvalidInput, NotFound

from . import validation
from .access import DatasetAccess
from .rendering import render_field, render_markdown, render_text, render_word_diff
from .selectors.history import versions_by_response
from .selectors.lookups import response_access
from .selectors.reviews import ReviewAnswer, ReviewRecord, review_record, review_record_get
from .services import reviews as review_services
from .views import access_or_404, history_rows

REVIEW_SKIPPED_SESSION_KEY = "portal_review_skipped"
MAX_SKIPPED_PER_DATASET = 500
MAX_ANSWER_KEYS = 9  # answers 1–9 are picked with the number keys
DONE_MESSAGES = {"accept": "Answer accepted.", "reject": "Answer rejected; it went back to its labeler.",
                 "fix": "Your fix was saved as a new version and accepted."}


def _reviewer_access(request, dataset_id) -> DatasetAccess:
    """The caller's access to the dataset (404 when they may not read it), 403 unless they may review it."""
    access = access_or_404(request, dataset_id)
    if not access.can_review:
        raise PermissionDenied("Only a reviewer or an admin of this workspace can review answers.")
    return access


def _skipped(request, dataset_id) -> list[str]:
    return list(request.session.get(REVIEW_SKIPPED_SESSION_KEY, {}).get(str(dataset_id), []))


def _set_skipped(request, dataset_id, ids: list[str]) -> None:
    skipped = request.session.get(REVIEW_SKIPPED_SESSION_KEY, {})
    skipped[str(dataset_id)] = ids[-MAX_SKIPPED_PER_DATASET:]
    request.session[REVIEW_SKIPPED_SESSION_KEY] = skipped


@login_required
@require_GET
def review_queue_page(request, dataset_id):
    """The caller's next record to review (held for them for a while), or "nothing to review".

    Records passed over with "next" come last: once nothing else waits, the queue goes round again.
    """
    access = _reviewer_access(request, dataset_id)
    skipped = _skipped(request, dataset_id)
    record = review_services.review_claim_next(access=access, exclude_ids=skipped)
    if record is None and skipped:
        # Round again, starting after the record passed over last.
        last = skipped[-1:]
        _set_skipped(request, dataset_id, last)
        record = (review_services.review_claim_next(access=access, exclude_ids=last)
                  or review_services.review_claim_next(access=access))
    if record is None:
        dashboard_url = reverse("dashboard:dataset", args=[access.dataset.pk]) if access.is_admin else ""
        return render(request, "portal/review_done.html", {"dataset": access.dataset, "dashboard_url": dashboard_url})
    record.dataset = access.dataset
    return _review(request, access, review_record(access=access, record=record), in_queue=True)


@login_required
@require_GET
def review_record_page(request, dataset_id, record_id):
    """One record's answers for review, reached by its id (the dashboard links here)."""
    access = _reviewer_access(request, dataset_id)
    try:
        view = review_record_get(access=access, record_id=record_id)
    except NotFound:
        raise Http404("Record not found.") from None
    return _review(request, access, view, in_queue=False)


@login_required
@require_POST
def review_skip(request, dataset_id, record_id):
    """Pass over a record for now ("next"): the queue hands the caller another one if any waits."""
    _reviewer_access(request, dataset_id)
    ids = [i for i in _skipped(request, dataset_id) if i != str(record_id)] + [str(record_id)]
    _set_skipped(request, dataset_id, ids)
    return redirect("portal:review", dataset_id)


@login_required
@require_POST
def review_decide(request, dataset_id, response_id):
    """Accept, reject (with a comment) or fix one answer, naming the version the reviewer saw."""
    access = _reviewer_access(request, dataset_id)
    try:
        answer_access = response_access(user=request.user, response_id=response_id)
    except NotFound:
        raise Http404("Answer not found.") from None
    response = answer_access.response
    if answer_access.dataset.pk != access.dataset.pk:
        raise Http404("Answer not found.")
    in_queue = request.POST.get("mode") == "queue"
    back = _page_url(access.dataset.pk, response.record_id, in_queue=in_queue)
    decision, comment = request.POST.get("decision", ""), request.POST.get("comment", "")
    try:
        version = _posted_version(request.POST)
        values = _fixed_values(access.dataset, response.values, request.POST) if decision == "fix" else None
        review_services.review_decide(access=answer_access, response=response, decision=decision, version=version,
                                      comment=comment, values=values)
    except Conflict as error:
        messages.warning(request, f"{error.message} The page now shows the answer's latest version.")
        return redirect(back)
    except DomainError as error:
        refused = {"response_id": str(response.pk), "decision": decision, "message": error.message,
                   "comment": comment, "texts": _posted_texts(request.POST),
                   "questions": error.details.get("questions", {})}
        view = review_record_get(access=access, record_id=response.record_id)
        return _review(request, access, view, in_queue=in_queue, refused=refused, status=error.http_status)
    messages.success(request, DONE_MESSAGES[decision])
    return redirect(back)


def _page_url(dataset_id, record_id, *, in_queue: bool) -> str:
    """Back to the queue (it keeps handing the same record while any of its answers waits), or to the record."""
    if in_queue:
        return reverse("portal:review", args=[dataset_id])
    return reverse("portal:review_record", args=[dataset_id, record_id])


def _posted_version(post) -> int:
    try:
        return int(post.get("version", ""))
    except ValueError:
        raise InvalidInput("Say which version of the answer you decided on; nothing was saved.",
                           details={"field": "version"}) from None


def fix_input_name(question_name: str) -> str:
    return f"fix-{question_name}"


def _posted_texts(post) -> dict:
    prefix = fix_input_name("")
    return {key[len(prefix):]: value for key, value in post.items() if key.startswith(prefix)}


def _fixed_values(dataset, values: dict, post) -> dict:
    """The answer's values with its text answers replaced by the reviewer's (a blank one is removed,
    so a required question reports it); the other answers are kept as the labeler gave them."""
    fixed = dict(values)
    for question in dataset.questions.all():
        if question.type != validation.TEXT or fix_input_name(question.name) not in post:
            continue
        text = post[fix_input_name(question.name)].replace("\r\n", "\n")
        if text.strip():
            fixed[question.name] = text
        else:
            fixed.pop(question.name, None)
    return fixed


# --- the page -----------------------------------------------------------------------------------


def _review(request, access: DatasetAccess, view: ReviewRecord, *, in_queue: bool, refused: dict | None = None,
            status: int = 200):
    dataset, record = view.dataset, view.record
    questions = list(dataset.questions.all())
    histories = versions_by_response(responses=[answer.response for answer in view.answers])
    answers = [_answer_view(i, answer, view, questions, refused, request.user.pk, histories[answer.response.pk])
               for i, answer in enumerate(view.answers)]
    context = {
        "dataset": dataset,
        "record": record,
        "guidelines_html": render_markdown(dataset.guidelines),
        "fields": [
            {"field": f, "is_markdown": f.use_markdown,
             "html": render_field(record.fields.get(f.name), use_markdown=f.use_markdown)}
            for f in dataset.fields.all()
            if record.fields.get(f.name) not in (None, "")
        ],
        "suggestions": [
            {"title": q.title, "agent": view.suggestions[q.name].agent,
             "html": render_text(value_text(view.suggestions[q.name].value))}
            for q in questions if q.name in view.suggestions
        ],
        "answers": answers,
        "decidable_count": len(view.decidable),
        "mode": "queue" if in_queue else "record",
        "in_queue": in_queue,
        "refused": refused,
        "queue_url": reverse("portal:review", args=[dataset.pk]),
        "skip_url": reverse("portal:review_skip", args=[dataset.pk, record.pk]),
        "dashboard_url": reverse("dashboard:dataset", args=[dataset.pk]) if access.is_admin else "",
    }
    return render(request, "portal/review.html", context, status=status)


def _answer_view(index: int, answer: ReviewAnswer, view: ReviewRecord, questions: list, refused: dict | None,
                 reviewer_id, entries: list) -> dict:
    """One answer's column: who and when, each question's value (text ones with their word diffs against
    the suggestion and the other answers), its history, and what a refused decision on it left to show."""
    response = answer.response
    mine = refused if refused and refused["response_id"] == str(response.pk) else None
    values = response.values or {}
    rows = []
    for question in questions:
        value = values.get(question.name)
        row = {"question": question, "is_text": question.type == validation.TEXT,
               "html": render_text(value_text(value))}
        if row["is_text"]:
            row["input_name"] = fix_input_name(question.name)
            row["fix_text"] = mine["texts"].get(question.name, value or "") if mine else value or ""
            row["fix_error"] = mine["questions"].get(question.name, "") if mine else ""
            row["diffs"] = _diffs(question.name, value, answer, view)
        rows.append(row)
    return {
        "answer": answer,
        "response": response,
        "number": index + 1,
        "key": str(index + 1) if index < MAX_ANSWER_KEYS else "",
        "is_own": response.user_id == reviewer_id,
        "time_spent": duration_text(answer.seconds_spent),
        "rows": rows,
        "history": history_rows(entries),
        "has_text": any(row["is_text"] for row in rows),
        "refused": mine,
        "decide_url": reverse("portal:review_decide", args=[view.dataset.pk, response.pk]),
    }


def _diffs(question_name: str, value, answer: ReviewAnswer, view: ReviewRecord) -> list[dict]:
    """A text answer compared with the suggestion (what the labeler changed: shown open) and with each
    other answer (closed until asked for)."""
    if not isinstance(value, str):
        return []
    diffs = []
    suggestion = view.suggestions.get(question_name)
    if suggestion is not None and isinstance(suggestion.value, str):
        diffs.append({"label": "Changes from the suggestion", "html": render_word_diff(suggestion.value, value),
                      "is_open": True})
    for number, other in enumerate(view.answers, start=1):
        other_value = (other.response.values or {}).get(question_name)
        if other is not answer and isinstance(other_value, str):
            diffs.append({"label": f"Compared with answer {number} ({other.labeler})",
                          "html": render_word_diff(other_value, value), "is_open": False})
    return diffs


def value_text(value) -> str:
    """An answer or suggestion of any question type as one line of text (a text answer as it is)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " · ".join(f"{item.get('value')}: {item.get('rank')}" if isinstance(item, dict) else str(item)
                          for item in value)
    return str(value)


def duration_text(seconds: float | None) -> str:
    """"12 s", "3 min 5 s", "2 h 4 min"; "–" when unknown."""
    if seconds is None:
        return "–"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
