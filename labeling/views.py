"""The labeler portal (DESIGN §6, issue 4): server-rendered pages over the labeling selectors and services.

Views parse the request, fetch through tenancy-scoped selectors (a dataset or record the user may not
read is a 404), call one service and render. They are the only place that catches `DomainError`, to show
it beside the question or as a message (STYLE §4).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import skills_of
from config.bodies import json_loads_bounded
from config.errors import DomainError, InvalidInput, NotFound

from .access import DatasetAccess, RecordAccess
from .forms import ResponseForm, question_views
from .models import Dataset, Record, Response, Skip
from .rendering import render_field, render_markdown
from .selectors.history import versions_by_response
from .selectors.lookups import dataset_access, dataset_list, dataset_with_schema, record_access_in
from .selectors.progress import annotator_progress
from .selectors.responses import my_responses, open_drafts, response_own, response_previous, suggestions_for_record
from .selectors.review_stats import reviewable_to_do
from .selectors.skips import own_skip_counts
from .services import claims as claim_services
from .services import responses as response_services
from .services import skips as skip_services
from .version_diff import version_changes

RESPONSES_PER_PAGE = 25
# Open drafts listed at the top of the queue and of "My responses"; the count beside them covers them all.
DRAFTS_LISTED = 10
SKIPPED_MESSAGES = {
    Skip.Reason.LATER: "Skipped for now: it comes back once the rest is done.",
    Skip.Reason.NOT_MY_FIELD: "Marked as not your field: it will not be offered to you again.",
    Skip.Reason.BROKEN: "Reported as broken: it will not be offered to you again, and the dataset's admins see it.",
}
MAX_PREVIEW_CHARS = 200_000
_STATUS_FOR_ACTION = {
    "submit": Response.Status.SUBMITTED,
    "draft": Response.Status.DRAFT,
    "discard": Response.Status.DISCARDED,
}


def access_or_404(request, dataset_id) -> DatasetAccess:
    """The caller's access to the dataset if they may read it; 404 otherwise (missing and not-yours look the same)."""
    try:
        return dataset_access(user=request.user, dataset_id=dataset_id)
    except NotFound:
        raise Http404("Dataset not found.") from None


def dataset_or_404(request, dataset_id) -> Dataset:
    """The dataset if the user may read it; 404 otherwise."""
    return access_or_404(request, dataset_id).dataset


def administered_access(request, dataset_id, *, refusal: str) -> DatasetAccess:
    """`access_or_404`, then 403 with `refusal` unless the user administers the dataset's workspace."""
    access = access_or_404(request, dataset_id)
    if not access.is_admin:
        raise PermissionDenied(refusal)
    return access


def _record_or_404(request, access: DatasetAccess, record_id) -> RecordAccess:
    try:
        return record_access_in(access=access, record_id=record_id)
    except NotFound:
        raise Http404("Record not found.") from None


def _safe_next(request) -> str:
    """The `next` URL of the request when it points back into this site, else ''."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return ""


def _json_error(error: DomainError) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": error.code, "message": error.message, "details": error.details}}, status=error.http_status
    )


def _read_json(request) -> dict:
    """The body as a JSON object, read within the APIs' bounds (nesting depth, NUL, finite numbers)."""
    try:
        payload = json_loads_bounded(request.body or b"null")
    except InvalidInput as error:
        if error.code != "parse_error":
            raise
        payload = None
    if not isinstance(payload, dict):
        raise DomainError("Send a JSON object.", code="invalid_json")
    return payload


# --- pages --------------------------------------------------------------------------------------


@login_required
@require_GET
def home_page(request):
    """The datasets of the caller's workspaces, each with their own progress and, for those they may
    review, a link to the review queue with the answers waiting for them."""
    datasets = list(dataset_list(user=request.user))
    progress = annotator_progress(user=request.user, datasets=datasets)
    to_review = reviewable_to_do(user=request.user, datasets=datasets)
    rows = [
        {"dataset": d, "progress": progress[d.pk], "is_ready": d.status == Dataset.Status.READY,
         "to_review": to_review.get(d.pk)}
        for d in datasets
    ]
    return render(request, "portal/home.html", {"rows": rows, "skills": skills_of(user=request.user)})


@login_required
@require_GET
def annotate_page(request, dataset_id):
    """The caller's next record in the dataset (DESIGN §4: assigned first, claims honoured), or "all done".

    `?resume=drafts` serves their oldest draft first; otherwise the queue moves on to records they have
    not started, and their open drafts are listed above the record (issue #19).
    """
    access = access_or_404(request, dataset_id)
    dataset = access.dataset
    try:
        record = claim_services.record_claim_next(access=access, resume_drafts=request.GET.get("resume") == "drafts")
    except DomainError as error:
        return render(request, "portal/message.html", {"dataset": dataset, "message": error.message}, status=error.http_status)
    if record is None:
        progress = annotator_progress(user=request.user, datasets=[dataset])[dataset.pk]
        context = {
            "dataset": dataset, "progress": progress, "skips": own_skip_counts(user=request.user, dataset=dataset),
            "drafts": open_drafts(user=request.user, dataset=dataset, limit=DRAFTS_LISTED) if progress["draft"] else [],
        }
        return render(request, "portal/all_done.html", context)
    record.dataset = dataset
    return _annotation(request, dataset, record, in_queue=True)


@login_required
@require_http_methods(["GET", "POST"])
def record_page(request, dataset_id, record_id):
    """One record: GET shows it with the caller's answer; POST submits, saves a draft or discards it."""
    access = _record_or_404(request, access_or_404(request, dataset_id), record_id)
    dataset, record = access.dataset, access.record
    in_queue = request.POST.get("mode", request.GET.get("mode")) == "queue"
    if request.method == "GET":
        return _annotation(request, dataset, record, in_queue=in_queue)
    dataset_with_schema(dataset)
    form = ResponseForm(request.POST, questions=dataset.questions.all())
    if not form.is_valid():
        return _annotation(
            request, dataset, record, in_queue=in_queue, data=request.POST, errors=form.question_errors(),
            message="Some answers need attention; nothing was saved.", status=400,
        )
    action = form.cleaned_data["action"]
    try:
        response_services.response_write(access=access, values=form.values(), status=_STATUS_FOR_ACTION[action])
    except DomainError as error:
        return _annotation(
            request, dataset, record, in_queue=in_queue, data=request.POST,
            errors=error.details.get("questions", {}), message=error.message, status=error.http_status,
        )
    if action == "draft":
        messages.success(request, "Draft saved.")
        # The queue moves on from started records, so the draft stays on screen, still in queue mode.
        if in_queue:
            return redirect(reverse("portal:record", args=[dataset.pk, record.pk]) + "?mode=queue")
        return redirect(request.get_full_path())
    return redirect(_safe_next(request) or reverse("portal:annotate", args=[dataset.pk]))


def _annotation(request, dataset: Dataset, record: Record, *, in_queue: bool, data=None, errors=None,
                message: str = "", status: int = 200):
    dataset_with_schema(dataset)
    response = response_own(user=request.user, record=record)
    suggestions = suggestions_for_record(record=record)
    progress = annotator_progress(user=request.user, datasets=[dataset])[dataset.pk]
    drafts = []
    if in_queue and progress["draft"]:
        drafts = [d for d in open_drafts(user=request.user, dataset=dataset, limit=DRAFTS_LISTED + 1)
                  if d.record_id != record.pk][:DRAFTS_LISTED]
    previous_id = response_previous(user=request.user, dataset=dataset, before=response)
    next_url = _safe_next(request)
    record_url = reverse("portal:record", args=[dataset.pk, record.pk])
    fields = [
        {
            "field": field,
            "is_markdown": field.use_markdown,
            "html": render_field(record.fields.get(field.name), use_markdown=field.use_markdown),
        }
        for field in dataset.fields.all()
        if record.fields.get(field.name) not in (None, "")
    ]
    metadata = [
        {"title": prop.title, "value": _metadata_text(record.metadata.get(prop.name))}
        for prop in dataset.metadata_properties.all()
        if prop.visible_for_annotators and record.metadata.get(prop.name) is not None
    ]
    context = {
        "dataset": dataset,
        "record": record,
        "response": response,
        "guidelines_html": render_markdown(dataset.guidelines),
        "fields": fields,
        "metadata": metadata,
        "questions": question_views(
            dataset.questions.all(), data=data, values=response.values if response else None,
            suggestions=suggestions, errors=errors,
        ),
        "progress": progress,
        "drafts": drafts,
        "skip_reasons": Skip.Reason.choices,
        "in_queue": in_queue,
        "message": message,
        "next_url": next_url,
        "form_url": record_url,
        "autosave_url": reverse("portal:draft_autosave", args=[dataset.pk, record.pk]),
        "skip_url": reverse("portal:skip_record", args=[dataset.pk, record.pk]),
        "preview_url": reverse("portal:markdown_preview"),
        "queue_url": reverse("portal:annotate", args=[dataset.pk]),
        "previous_url": reverse("portal:record", args=[dataset.pk, previous_id]) if previous_id else "",
    }
    return render(request, "portal/annotate.html", context, status=status)


def _metadata_text(value) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


@login_required
@require_POST
def skip_record(request, dataset_id, record_id):
    """Pass over a record with a reason (`later` by default): no response is written, the claim is
    released, the queue moves on; "later" records come back after the rest, the others never do."""
    access = _record_or_404(request, access_or_404(request, dataset_id), record_id)
    try:
        skip = skip_services.record_skip(access=access, reason=request.POST.get("reason", Skip.Reason.LATER))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, SKIPPED_MESSAGES[skip.reason])
    return redirect("portal:annotate", access.dataset.pk)


@login_required
@require_POST
def draft_autosave(request, dataset_id, record_id):
    """Save the caller's answers as a draft: `{"values": {question: value}}` in, `{"status", "saved_at"}` out."""
    access = _record_or_404(request, access_or_404(request, dataset_id), record_id)
    try:
        payload = _read_json(request)
        values = payload.get("values")
        if not isinstance(values, dict):
            raise DomainError("'values' must be an object keyed by question name.", code="invalid_json")
        response = response_services.response_write(access=access, values=values, status=Response.Status.DRAFT)
    except DomainError as error:
        return _json_error(error)
    return JsonResponse({"status": response.status, "saved_at": response.updated_at.isoformat()})


@login_required
@require_POST
def markdown_preview(request):
    """Render a text answer's markdown the same way the server renders everything else: sanitized."""
    try:
        text = _read_json(request).get("text")
        if not isinstance(text, str) or len(text) > MAX_PREVIEW_CHARS:
            raise DomainError(f"'text' must be a string of at most {MAX_PREVIEW_CHARS} characters.", code="invalid_json")
    except DomainError as error:
        return _json_error(error)
    return JsonResponse({"html": render_markdown(text)})


@login_required
@require_GET
def my_responses_page(request):
    """The caller's own responses, filtered by status, dataset and a search term; each can be reopened and
    shows its history with what each version changed (one query for the page's histories)."""
    status = request.GET.get("status", "")
    status = status if status in Response.Status.values else ""
    search = request.GET.get("q", "").strip()[:200]
    datasets = list(dataset_list(user=request.user))
    dataset_id = request.GET.get("dataset", "")
    dataset_id = dataset_id if dataset_id in {str(d.pk) for d in datasets} else ""
    responses = my_responses(user=request.user, status=status, search=search, dataset_id=dataset_id or None)
    page = Paginator(responses, RESPONSES_PER_PAGE).get_page(request.GET.get("page"))
    here = request.get_full_path()
    page_responses = list(page.object_list)
    histories = versions_by_response(responses=page_responses)
    rows = [
        {
            "response": response,
            "dataset": response.record.dataset,
            "record_excerpt": Truncator(" · ".join(str(v) for v in response.record.fields.values())).chars(140),
            "answer_excerpt": Truncator(_answer_text(response.values)).chars(140),
            "open_url": reverse("portal:record", args=[response.record.dataset_id, response.record_id])
            + "?" + urlencode({"next": here}),
            "history": history_rows(histories[response.pk]),
        }
        for response in page_responses
    ]
    drafts = open_drafts(user=request.user, limit=DRAFTS_LISTED + 1)
    filters = {"status": status, "q": search, "dataset": dataset_id}
    page_query = urlencode({k: v for k, v in filters.items() if v})
    context = {
        "drafts": drafts[:DRAFTS_LISTED],
        "drafts_count": f"{DRAFTS_LISTED}+" if len(drafts) > DRAFTS_LISTED else len(drafts),
        "rows": rows,
        "page": page,
        "filters": filters,
        "page_query": page_query,
        "datasets": datasets,
        "statuses": Response.Status.choices,
    }
    return render(request, "portal/my_responses.html", context)


def history_rows(entries: list) -> list[dict]:
    """A response's entries, newest first, each with what it changed in the answer since the one before."""
    rows, previous = [], None
    for entry in entries:
        rows.append({"entry": entry, "changes": version_changes(previous, entry.values)})
        previous = entry.values
    return rows[::-1]


def _answer_text(values: dict) -> str:
    """A one-line summary of an answer: text answers first, then the others."""
    texts = [v for v in values.values() if isinstance(v, str)]
    others = [f"{k}: {v}" for k, v in values.items() if not isinstance(v, (str, list, dict))]
    return " · ".join(texts + others)
