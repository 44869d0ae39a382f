"""``{% followups_todo user as todos %}``: the follow-up to-do of the home page (``todo.todo_for``)."""

from django import template

register = template.Library()


@register.simple_tag
def followups_todo(user):
    from shuangsuiji.followups.todo import todo_for

    return todo_for(user)
