"""Print jobs in the job queue (huey): rendering, and the hourly removal of expired files."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from shuangsuiji.printing import services


@db_task()
def run_print_job_task(job_id: int) -> None:
    services.run(job_id)


@db_periodic_task(crontab(minute="17"))
def expire_print_jobs() -> None:
    services.expire_due()
