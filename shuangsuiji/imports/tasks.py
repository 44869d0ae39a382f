"""Imports run in the job queue (huey): the upload returns at once, the page polls progress."""

from huey.contrib.djhuey import db_task

from shuangsuiji.imports.runner import run_import


@db_task()
def run_import_task(job_id: int) -> None:
    run_import(job_id)
