from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shuangsuiji.audit"
    verbose_name = "审计日志（全程留痕）"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from shuangsuiji.audit import services

        def logged_in(sender, request, user, **kwargs):
            services.record(action="auth.login", obj=user, organisation_id=user.organisation_id)

        def logged_out(sender, request, user, **kwargs):
            if user is not None:
                services.record(action="auth.logout", obj=user, organisation_id=user.organisation_id)

        def login_failed(sender, credentials, request=None, **kwargs):
            username = str(credentials.get("username", ""))[:150]
            services.record(
                action="auth.login_failed",
                object_type="accounts.user",
                object_id=username,
                object_repr=username,
            )

        user_logged_in.connect(logged_in, dispatch_uid="audit:login", weak=False)
        user_logged_out.connect(logged_out, dispatch_uid="audit:logout", weak=False)
        user_login_failed.connect(login_failed, dispatch_uid="audit:login_failed", weak=False)
