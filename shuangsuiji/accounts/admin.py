from types import SimpleNamespace

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from shuangsuiji.accounts.models import RoleGrant, User
from shuangsuiji.inspectors import services as inspector_services
from shuangsuiji.inspectors.models import Inspector


class InspectorLinkFields(forms.Form):
    """The register person this login belongs to (rules: inspectors.services.account_problem)."""

    inspector = forms.ModelChoiceField(
        label="名录库人员",
        required=False,
        queryset=Inspector.objects.select_related("organisation").order_by("organisation__path", "certificate_no"),
        empty_label="（不关联）",
        help_text="执法检查人员名录库中本人的记录：关联后本人可查看分配给自己的检查对象。一人至多一个账号，姓名须一致。",
    )
    confirm_name = forms.BooleanField(
        label="姓名不一致，确认关联", required=False, help_text="账号姓名与名录库姓名不同但核实为同一人时勾选。"
    )

    def _init_inspector(self) -> None:
        # Only the people of the account's own organisation and its units (a province has tens of
        # thousands of inspectors; nobody picks from all of them). A new account: after saving.
        org = getattr(self.instance, "organisation", None) if self.instance.organisation_id else None
        field = self.fields["inspector"]
        field.queryset = (
            field.queryset.filter(organisation__path__startswith=org.path) if org is not None else field.queryset.none()
        )
        if self.instance.pk:
            self.fields["inspector"].initial = (
                Inspector.objects.filter(user_id=self.instance.pk).values_list("pk", flat=True).first()
            )

    def _check_inspector(self) -> None:
        inspector = self.cleaned_data.get("inspector")
        if inspector is None or (self.instance.pk and inspector.user_id == self.instance.pk):
            return  # no link, or the link as it is
        account = SimpleNamespace(
            pk=self.instance.pk,
            username=self.cleaned_data.get("username") or self.instance.username,
            full_name=self.cleaned_data.get("full_name", self.instance.full_name) or "",
        )
        for field, message in inspector_services.account_problem(
            inspector, account, confirm_name=self.cleaned_data.get("confirm_name", False)
        ).items():
            self.add_error("inspector" if field == "account" else field, message)


class UserChangeWithInspector(InspectorLinkFields, UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_inspector()

    def clean(self):
        data = super().clean()
        self._check_inspector()
        return data


class UserCreationWithInspector(InspectorLinkFields, AdminUserCreationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_inspector()

    def clean(self):
        data = super().clean()
        self._check_inspector()
        return data


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
    form = UserChangeWithInspector
    add_form = UserCreationWithInspector
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("基本信息", {"fields": ("full_name", "organisation", "phone", "email")}),
        ("执法检查人员", {"fields": ("inspector", "confirm_name")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "organisation",
                    "password1",
                    "password2",
                    "inspector",
                    "confirm_name",
                ),
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        chosen = form.cleaned_data.get("inspector")
        current = Inspector.objects.filter(user_id=obj.pk).first()
        if current is not None and current != chosen:
            inspector_services.link_account(current, None, user=request.user)
        if chosen is not None and current != chosen:
            inspector_services.link_account(
                chosen, obj, user=request.user, confirm_name=form.cleaned_data.get("confirm_name", False)
            )
