from django.contrib import admin

from shuangsuiji.tags.models import Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("full_name", "code", "scope", "is_active")
    list_filter = ("scope", "is_active")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
