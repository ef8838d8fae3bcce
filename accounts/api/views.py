"""REST API for the caller, workspaces, members, users and API keys (issue #3).

Views parse with a nested InputSerializer, call one service, and render with an OutputSerializer;
tenancy comes from the selectors, roles from the services.
"""

from django.db.models import prefetch_related_objects
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts import selectors, services, tenancy
from accounts.models import Membership
from config.api import ApiView, PageQuerySerializer, StrictSerializer, api_schema

from .base import WorkspaceScopedApi
from .serializers import (
    ApiKeyOutputSerializer,
    MembershipOutputSerializer,
    UserOutputSerializer,
    WorkspaceOutputSerializer,
)


class MeApi(ApiView):
    class OutputSerializer(UserOutputSerializer):
        class WorkspaceRoleSerializer(serializers.Serializer):
            id = serializers.UUIDField(source="workspace.id")
            name = serializers.CharField(source="workspace.name")
            role = serializers.CharField()
            skills = serializers.ListField(child=serializers.CharField(), help_text="Your skills in this workspace.")

        role = serializers.SerializerMethodField()
        workspaces = WorkspaceRoleSerializer(source="memberships.all", many=True)

        class Meta(UserOutputSerializer.Meta):
            fields = [*UserOutputSerializer.Meta.fields, "role", "workspaces"]

        def get_role(self, user) -> str:
            return tenancy.global_role(user)

    @api_schema(responses=OutputSerializer, summary="The caller, with their workspaces and roles")
    def get(self, request):
        prefetch_related_objects([request.user], "memberships__workspace")
        return Response(self.OutputSerializer(request.user).data)


class WorkspaceListApi(ApiView):
    class InputSerializer(StrictSerializer):
        name = serializers.CharField(max_length=200)

    @api_schema(parameters=[PageQuerySerializer], responses=WorkspaceOutputSerializer(many=True))
    def get(self, request):
        self.parse_query(PageQuerySerializer)
        return self.paginate(selectors.workspace_list(user=request.user), WorkspaceOutputSerializer)

    @api_schema(request=InputSerializer, responses={201: WorkspaceOutputSerializer}, summary="Create a workspace (owners)")
    def post(self, request):
        data = self.parse_body(self.InputSerializer)
        workspace = services.workspace_create(actor=request.user, **data)
        return Response(WorkspaceOutputSerializer(workspace).data, status=status.HTTP_201_CREATED)


class WorkspaceDetailApi(WorkspaceScopedApi):
    class InputSerializer(StrictSerializer):
        name = serializers.CharField(max_length=200)

    @api_schema(responses=WorkspaceOutputSerializer)
    def get(self, request, workspace_id):
        return Response(WorkspaceOutputSerializer(self.workspace).data)

    @api_schema(request=InputSerializer, responses=WorkspaceOutputSerializer, summary="Rename a workspace (owners)")
    def patch(self, request, workspace_id):
        data = self.parse_body(self.InputSerializer)
        workspace = services.workspace_update(actor=request.user, workspace=self.workspace, **data)
        return Response(WorkspaceOutputSerializer(workspace).data)

    @api_schema(responses={204: None}, summary="Delete an empty workspace (owners)")
    def delete(self, request, workspace_id):
        services.workspace_delete(actor=request.user, workspace=self.workspace)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WorkspaceMemberApi(WorkspaceScopedApi):
    """Members of one workspace: read, add or re-role, remove (owners and the workspace's admins)."""

    class InputSerializer(StrictSerializer):
        user = serializers.CharField(max_length=150, help_text="The user's username or id.")
        role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.ANNOTATOR)

    class RemoveQuerySerializer(StrictSerializer):
        user = serializers.CharField(max_length=150, help_text="The user's username or id.")

    @api_schema(parameters=[PageQuerySerializer], responses=MembershipOutputSerializer(many=True))
    def get(self, request, workspace_id):
        self.parse_query(PageQuerySerializer)
        tenancy.require_workspace_admin(request.user, self.workspace.pk)
        return self.paginate(selectors.membership_list(workspace=self.workspace), MembershipOutputSerializer)

    @api_schema(request=InputSerializer, responses=MembershipOutputSerializer, summary="Add a member or change their role")
    def post(self, request, workspace_id):
        data = self.parse_body(self.InputSerializer)
        user = selectors.user_get_by_ref(user=request.user, ref=data["user"])
        membership = services.membership_set(actor=request.user, workspace=self.workspace, user=user, role=data["role"])
        return Response(MembershipOutputSerializer(membership).data)

    @api_schema(parameters=[RemoveQuerySerializer], responses={204: None}, summary="Remove a member")
    def delete(self, request, workspace_id):
        data = self.parse_query(self.RemoveQuerySerializer)
        user = selectors.user_get_by_ref(user=request.user, ref=data["user"])
        services.membership_remove(actor=request.user, workspace=self.workspace, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WorkspaceMemberDetailApi(WorkspaceScopedApi):
    """One member, named by username or id: change their role and/or skills (owners and the workspace's admins)."""

    class InputSerializer(StrictSerializer):
        role = serializers.ChoiceField(choices=Membership.Role.choices, required=False)
        skills = serializers.ListField(
            child=serializers.CharField(trim_whitespace=False, allow_blank=True), required=False, max_length=100,
            help_text="Replaces the member's skills: tags such as 'python' or 'lang:de', stored trimmed and lower-case.",
        )

    @api_schema(request=InputSerializer, responses=MembershipOutputSerializer, summary="Change a member's role or skills")
    def patch(self, request, workspace_id, user_ref):
        data = self.parse_body(self.InputSerializer)
        membership = selectors.member_get(workspace=self.workspace, user_ref=user_ref)
        membership = services.membership_update(actor=request.user, workspace=self.workspace, user=membership.user, **data)
        return Response(MembershipOutputSerializer(membership).data)


class UserListApi(ApiView):
    class InputSerializer(StrictSerializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(required=False, write_only=True, max_length=128)
        email = serializers.EmailField(required=False)
        first_name = serializers.CharField(required=False, max_length=150, allow_blank=True)
        last_name = serializers.CharField(required=False, max_length=150, allow_blank=True)
        is_owner = serializers.BooleanField(required=False)
        create_api_key = serializers.BooleanField(required=False)

    class CreatedOutputSerializer(UserOutputSerializer):
        api_key = serializers.CharField(allow_null=True, help_text="The new key's secret, shown only in this response.")

        class Meta(UserOutputSerializer.Meta):
            fields = [*UserOutputSerializer.Meta.fields, "api_key"]

    @api_schema(parameters=[PageQuerySerializer], responses=UserOutputSerializer(many=True), summary="Users (owners)")
    def get(self, request):
        self.parse_query(PageQuerySerializer)
        tenancy.require_owner(request.user)
        return self.paginate(selectors.user_list(user=request.user), UserOutputSerializer)

    @api_schema(request=InputSerializer, responses={201: CreatedOutputSerializer}, summary="Create a user (owners)")
    def post(self, request):
        data = self.parse_body(self.InputSerializer)
        user, secret = services.user_create(actor=request.user, **data)
        user.api_key = secret
        return Response(self.CreatedOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class ApiKeyListApi(ApiView):
    class InputSerializer(StrictSerializer):
        name = serializers.CharField(required=False, max_length=100, allow_blank=True)
        user = serializers.UUIDField(required=False, help_text="Owners may mint a key for another user.")

    class CreatedOutputSerializer(ApiKeyOutputSerializer):
        key = serializers.CharField(help_text="The secret, shown only in this response.")

        class Meta(ApiKeyOutputSerializer.Meta):
            fields = [*ApiKeyOutputSerializer.Meta.fields, "key"]

    @api_schema(parameters=[PageQuerySerializer], responses=ApiKeyOutputSerializer(many=True),
                summary="Your API keys (owners: every key), prefix only")
    def get(self, request):
        self.parse_query(PageQuerySerializer)
        return self.paginate(selectors.api_key_list(user=request.user), ApiKeyOutputSerializer)

    @api_schema(request=InputSerializer, responses={201: CreatedOutputSerializer}, summary="Create an API key")
    def post(self, request):
        data = self.parse_body(self.InputSerializer)
        user = selectors.user_get(user=request.user, user_id=data["user"]) if "user" in data else request.user
        key, secret = services.api_key_create(actor=request.user, user=user, name=data.get("name", ""))
        key.key = secret
        return Response(self.CreatedOutputSerializer(key).data, status=status.HTTP_201_CREATED)


class ApiKeyDetailApi(ApiView):
    @api_schema(responses={204: None}, summary="Revoke an API key (its user or an owner)")
    def delete(self, request, key_id):
        key = selectors.api_key_get(user=request.user, key_id=key_id)
        services.api_key_revoke(actor=request.user, key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)
