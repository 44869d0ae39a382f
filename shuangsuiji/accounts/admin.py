from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from shuangsuiji.accounts.models import RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "organisation", "is_active")
    search_fields = ("username", "full_name", "organisation__name")
    list_filter = ("is_active", "role_grants__role")
    autocomplete_fields = ("organisation",)
    inlines = [RoleGrantInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("基本信息", {"fields": ("full_name", "organisation", "phone", "email")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "organisation", "password1", "password2")}),
    )
