from django.core.management.base import BaseCommand

from exports.services.jobs import jobs_check_stale, lease_duration, max_attempts


class Command(BaseCommand):
    help = (
        "Enqueue again the jobs whose worker died (failing those out of attempts), fail stuck jobs and remove "
        "orphaned partial files (run it from cron without Celery beat)."
    )

    def handle(self, *args, **options):
        counts = jobs_check_stale()
        self.stdout.write(
            f"{counts['requeued']} job(s) enqueued again, {counts['failed']} marked failed, "
            f"{counts['partials_removed']} partial file(s) removed (lease: {int(lease_duration().total_seconds())} s, "
            f"at most {max_attempts()} attempts)."
        )
