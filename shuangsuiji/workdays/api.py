from __future__ import annotations

from datetime import date

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from shuangsuiji.workdays.services import CalendarDataMissing, WorkdayCalendar

router = Router(tags=["工作日历"])


class AddOut(Schema):
    start: date
    n: int
    result: date


@router.get("/add", response=AddOut, summary="D 之后（不含 D）第 N 个工作日")
def add(request, start: date, n: int = Query(..., ge=0, le=2000)):
    try:
        return {"start": start, "n": n, "result": WorkdayCalendar().add_workdays(start, n)}
    except CalendarDataMissing as exc:
        raise HttpError(422, str(exc)) from exc
