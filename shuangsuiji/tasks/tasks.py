"""The draws' index jobs in the job queue (huey): a draw's index rows after its commit, and a
periodic pass that resumes any index left incomplete (a worker that died, a lost message)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from shuangsuiji.tasks import indexes


@db_task(retries=3, retry_delay=10)
def write_index_task(draw_id: int) -> None:
    indexes.complete(draw_id)


@db_periodic_task(crontab(minute="*"))
def resume_indexes() -> None:
    for draw_id in indexes.pending():
        indexes.complete(draw_id)
