from django.core.management.base import BaseCommand

from labeling.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo workspace, users and 500 BANKING77 prompts (safe to run again)."

    def handle(self, *args, **options):
        result = demo_load()
        dataset = result["dataset"]
        self.stdout.write(
            f"Demo ready: dataset '{dataset.workspace.name}/{dataset.name}' "
            f"({dataset.records.count()} records, {result['records_created']} new)."
        )
        self.stdout.write("Logins (username / password):")
        for username, password in result["users"]:
            self.stdout.write(f"  {username:<6} / {password}")
