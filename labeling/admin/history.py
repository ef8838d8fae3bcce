"""Admin for responses' history (the review issue, §4): read-only for everyone, owners included.

`ResponseVersion` rows are only ever inserted by the services; the admin lists them per dataset and
shows each response's entries on its page (`ResponseAdmin.history`), and offers no add, change or
delete.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from config.admin import ReadOnlyMixin, TenantAdmin
from labeling.admin.common import DatasetFilter, ExactSearchMixin, pretty_json
from labeling.models import Dataset, ResponseVersion


@admin.register(ResponseVersion)
class ResponseVersionAdmin(ReadOnlyMixin, ExactSearchMixin, TenantAdmin):
    list_display = ("response_id", "number", "kind", "status", "review_status", "respondent", "author_name",
                    "dataset", "inserted_at")
    list_select_related = ("dataset", "respondent")
    changelist_defer = ("values", "comment")
    list_filter = (DatasetFilter, "kind", "review_status")
    list_per_page = 100
    search_fields = ("response_id",)
    exact_search_fields = ("response_id", "author_name", "respondent__username")
    search_help_text = "Exact response id, author or labeler username; end with * for a prefix."
    fields = ("dataset", "record", "response_id", "respondent", "number", "kind", "readable_values", "status",
              "review_status", "reviewed_number", "comment", "author_name", "inserted_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return ResponseVersion.objects.filter(dataset__in=Dataset.objects.administered_by(request.user))

    @admin.display(description="values")
    def readable_values(self, obj):
        return pretty_json(obj.values)


def history_table(entries: list[ResponseVersion], response_id) -> str:
    """A response's entries as a small read-only table, with a link to them in the history list."""
    if not entries:
        return format_html("<p>{}</p>", "No history yet: the response has not been submitted.")
    rows = format_html_join(
        "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((e.number, e.get_kind_display(), e.status, e.review_status or "", e.author_name,
          e.inserted_at.strftime("%Y-%m-%d %H:%M:%S"), e.comment) for e in entries),
    )
    link = reverse("admin:labeling_responseversion_changelist") + f"?response_id={response_id}"
    return format_html(
        "<table><thead><tr><th>#</th><th>kind</th><th>status</th><th>review</th><th>author</th><th>time</th>"
        "<th>comment</th></tr></thead><tbody>{}</tbody></table><p><a href=\"{}\">Open in the history list</a>"
        " (values of each version)</p>", rows, link,
    )
