from django.contrib import admin

from shuangsuiji.workdays.models import CalendarOverride, CalendarYear


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "published_on")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
