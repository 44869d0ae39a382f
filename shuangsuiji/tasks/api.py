"""API for tasks, draws and confirmations (being written; see issue 5)."""

from ninja import Router

router = Router(tags=["抽查任务与抽取"])
