from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shuangsuiji.accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from shuangsuiji.accounts.models import RoleGrant, User
        from shuangsuiji.audit.services import track

        track(User, exclude=("last_login",), secret=("password",))
        track(RoleGrant)
