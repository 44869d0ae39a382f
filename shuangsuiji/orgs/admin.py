from django.contrib import admin

from shuangsuiji.orgs.models import DepartmentKind, Organisation, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")

    def has_add_permission(self, request):
        return False  # regions come from the shipped GB/T 2260 table (manage.py load_regions)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DepartmentKind)
class DepartmentKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "aliases", "sort_order")
    search_fields = ("name", "code", "aliases")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "department_kind", "parent", "is_coordinating_office", "is_active")
    list_filter = ("kind", "is_coordinating_office", "department_kind")
    search_fields = ("name", "short_name", "region__name", "region__code")
    autocomplete_fields = ("region", "parent")
