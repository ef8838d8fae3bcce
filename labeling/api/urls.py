from django.urls import path

from . import history, reviews, skips, views

urlpatterns = [
    path("datasets/", views.DatasetListApi.as_view(), name="api-dataset-list"),
    path("datasets/<uuid:dataset_id>/", views.DatasetDetailApi.as_view(), name="api-dataset-detail"),
    path("datasets/<uuid:dataset_id>/publish/", views.DatasetPublishApi.as_view(), name="api-dataset-publish"),
    path("datasets/<uuid:dataset_id>/records/", views.RecordListApi.as_view(), name="api-record-list"),
    path("datasets/<uuid:dataset_id>/suggestions/", views.SuggestionBulkApi.as_view(), name="api-suggestion-bulk"),
    path("datasets/<uuid:dataset_id>/next/", views.NextRecordApi.as_view(), name="api-record-next"),
    path("datasets/<uuid:dataset_id>/responses/", views.ResponseListApi.as_view(), name="api-response-list"),
    path("datasets/<uuid:dataset_id>/progress/", views.DatasetProgressApi.as_view(), name="api-dataset-progress"),
    path("datasets/<uuid:dataset_id>/review/", reviews.ReviewSummaryApi.as_view(), name="api-review-summary"),
    path("datasets/<uuid:dataset_id>/review/next/", reviews.ReviewNextApi.as_view(), name="api-review-next"),
    path("responses/<uuid:response_id>/review/", reviews.ResponseReviewApi.as_view(), name="api-response-review"),
    path("records/<uuid:record_id>/", views.RecordDetailApi.as_view(), name="api-record-detail"),
    path("records/<uuid:record_id>/response/", views.RecordResponseApi.as_view(), name="api-record-response"),
    path("responses/<uuid:response_id>/versions/", history.ResponseVersionListApi.as_view(),
         name="api-response-versions"),
    path("records/<uuid:record_id>/skip/", skips.RecordSkipApi.as_view(), name="api-record-skip"),
]
