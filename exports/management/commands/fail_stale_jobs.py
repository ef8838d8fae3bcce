from django.core.management.base import BaseCommand

from exports.services.jobs import jobs_fail_stale, stale_after


class Command(BaseCommand):
    help = "Mark export and import jobs that stopped making progress as failed (run it from cron without Celery beat)."

    def handle(self, *args, **options):
        count = jobs_fail_stale()
        self.stdout.write(f"{count} stale job(s) marked failed (deadline: {int(stale_after().total_seconds())} s without progress).")
