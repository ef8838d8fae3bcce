"""Routes of the labeler portal (DESIGN §6); mounted at the site root by config/urls.py."""

from django.urls import path

from . import views, views_review

app_name = "portal"

urlpatterns = [
    path("", views.home_page, name="home"),
    path("responses/", views.my_responses_page, name="my_responses"),
    path("preview/", views.markdown_preview, name="markdown_preview"),
    path("datasets/<uuid:dataset_id>/", views.annotate_page, name="annotate"),
    path("datasets/<uuid:dataset_id>/records/<uuid:record_id>/", views.record_page, name="record"),
    path("datasets/<uuid:dataset_id>/records/<uuid:record_id>/skip/", views.skip_record, name="skip_record"),
    path("datasets/<uuid:dataset_id>/records/<uuid:record_id>/draft/", views.draft_autosave, name="draft_autosave"),
    path("datasets/<uuid:dataset_id>/review/", views_review.review_queue_page, name="review"),
    path("datasets/<uuid:dataset_id>/review/records/<uuid:record_id>/", views_review.review_record_page,
         name="review_record"),
    path("datasets/<uuid:dataset_id>/review/records/<uuid:record_id>/next/", views_review.review_skip,
         name="review_skip"),
    path("datasets/<uuid:dataset_id>/review/responses/<uuid:response_id>/", views_review.review_decide,
         name="review_decide"),
]
