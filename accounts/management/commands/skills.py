from django.core.management.base import BaseCommand, CommandError

from accounts.models import Workspace
from accounts.selectors import member_get
from accounts.services import membership_update
from config.errors import DomainError


class Command(BaseCommand):
    help = ("Show or change a member's skills, the tags that route records to them: "
            "skills WORKSPACE USER [--set TAG ...] [--add TAG ...] [--remove TAG ...]. Prints the skills held after.")

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="The workspace's name.")
        parser.add_argument("user", help="The member's username or id.")
        parser.add_argument("--set", nargs="*", dest="replace", metavar="TAG", help="Replace the skills with these.")
        parser.add_argument("--add", nargs="+", default=[], metavar="TAG")
        parser.add_argument("--remove", nargs="+", default=[], metavar="TAG")

    def handle(self, *args, workspace: str, user: str, replace, add, remove, **options):
        try:
            found = Workspace.objects.get(name=workspace)
        except Workspace.DoesNotExist:
            raise CommandError(f"No workspace named '{workspace}'.") from None
        try:
            membership = member_get(workspace=found, user_ref=user)
            if replace is not None or add or remove:
                membership = membership_update(actor=None, workspace=found, user=membership.user, skills=replace,
                                               add_skills=add, remove_skills=remove)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(" ".join(membership.skills))
