"""``{% plans_todo user as todos %}``: the plan to-do of the home page (``services.todo_for``)."""

from django import template

register = template.Library()


@register.simple_tag
def plans_todo(user):
    from shuangsuiji.plans.services import todo_for

    return todo_for(user)
