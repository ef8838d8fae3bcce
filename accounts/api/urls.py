from django.urls import path

from . import views

urlpatterns = [
    path("me", views.MeApi.as_view(), name="api-me"),
    path("workspaces/", views.WorkspaceListApi.as_view(), name="api-workspace-list"),
    path("workspaces/<uuid:workspace_id>/", views.WorkspaceDetailApi.as_view(), name="api-workspace-detail"),
    path("workspaces/<uuid:workspace_id>/members/", views.WorkspaceMemberApi.as_view(), name="api-workspace-members"),
    path("workspaces/<uuid:workspace_id>/members/<str:user_ref>/", views.WorkspaceMemberDetailApi.as_view(),
         name="api-workspace-member-detail"),
    path("users/", views.UserListApi.as_view(), name="api-user-list"),
    path("keys/", views.ApiKeyListApi.as_view(), name="api-key-list"),
    path("keys/<uuid:key_id>/", views.ApiKeyDetailApi.as_view(), name="api-key-detail"),
]
