"""The report summary's recomputation in the job queue (huey): after the commit that marked a
task, so that the request which changed it (a provincial draw: 50,000 drawn targets, a
repeat figure over 700,000 rows) does not wait for it. Readers flush first anyway
(``summary.flush``), so a queue that is behind or down never shows a stale figure."""

from huey.contrib.djhuey import db_task

from shuangsuiji.reports import summary


@db_task()
def flush_summary_task() -> None:
    summary.flush()
