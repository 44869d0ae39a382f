from __future__ import annotations

from datetime import date

from ninja import Router, Schema
from ninja.errors import HttpError

from shuangsuiji.workdays.services import CalendarDataMissing, WorkdayCalendar

router = Router(tags=["工作日历"])


class AddOut(Schema):
    start: date
    n: int
    result: date


@router.get("/add", response=AddOut, summary="D 之后（不含 D）第 N 个工作日")
def add(request, start: date, n: int):
    if n < 0 or n > 2000:
        raise HttpError(422, "工作日数应在 0 到 2000 之间。")
    try:
        return {"start": start, "n": n, "result": WorkdayCalendar().add_workdays(start, n)}
    except CalendarDataMissing as exc:
        raise HttpError(422, str(exc)) from exc
