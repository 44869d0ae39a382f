from django.contrib import admin

from shuangsuiji.workdays import deadlines
from shuangsuiji.workdays.models import CalendarOverride, CalendarYear, DeadlineNotice, ProvisionalDeadline


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "published_on")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moved = deadlines.recompute(obj.year, request.user)
        if moved:
            self.message_user(
                request, f"已按{obj.year}年放假安排重算暂定期限：{len(moved)} 项期限有变动，已通知相关人员。"
            )


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def _recompute(self, request, year: int) -> None:
        if CalendarYear.objects.filter(year=year).exists():
            moved = deadlines.recompute(year, request.user)
            if moved:
                self.message_user(request, f"已重算{year}年的期限：{len(moved)} 项有变动，已通知相关人员。")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._recompute(request, obj.date.year)

    def delete_model(self, request, obj):
        year = obj.date.year
        super().delete_model(request, obj)
        self._recompute(request, year)


@admin.register(ProvisionalDeadline)
class ProvisionalDeadlineAdmin(admin.ModelAdmin):
    list_display = ("kind", "object_id", "start", "workdays", "first_due_on", "due_on", "provisional", "final_on")
    list_filter = ("provisional", "kind")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeadlineNotice)
class DeadlineNoticeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "text")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
