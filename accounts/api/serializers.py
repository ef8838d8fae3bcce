"""Output shapes shared by the accounts API views."""

from rest_framework import serializers

from accounts.models import ApiKey, Membership, User, Workspace


class UserRefOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()


class WorkspaceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Workspace
        fields = ["id", "name", "inserted_at", "updated_at"]


class MembershipOutputSerializer(serializers.ModelSerializer):
    user = UserRefOutputSerializer()

    class Meta:
        model = Membership
        fields = ["user", "role", "quota", "skills", "inserted_at"]


class UserOutputSerializer(serializers.ModelSerializer):
    is_owner = serializers.BooleanField(source="is_superuser")

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "is_owner", "is_active", "inserted_at"]


class ApiKeyOutputSerializer(serializers.ModelSerializer):
    """A key as listed: its prefix only, never the secret."""

    user = UserRefOutputSerializer()

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "user", "inserted_at", "last_used_at", "revoked_at"]
