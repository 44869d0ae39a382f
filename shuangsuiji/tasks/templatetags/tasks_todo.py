"""``{% tasks_todo user as todos %}``: the draw-day to-do of the home page (``todo.todo_for``)."""

from django import template

register = template.Library()


@register.simple_tag
def tasks_todo(user):
    from shuangsuiji.tasks.todo import todo_for

    return todo_for(user)
