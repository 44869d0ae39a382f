"""The daily anchor of the audit chain (huey periodic task; see audit/anchors.py)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shuangsuiji.audit.anchors import verify_and_anchor

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="1", minute="30"), name="audit.anchor_daily")
def anchor_daily() -> bool:
    """Verify the chain and append its head to the anchor file, once a day (01:30 server time).
    A broken chain is not anchored: it is logged as an error for the administrators."""
    outcome = verify_and_anchor(write=True)
    if not outcome.ok:
        problem = outcome.file_problem or outcome.report.problem
        log.error("审计链校验失败，未写锚点：%s", problem)
        return False
    return True
