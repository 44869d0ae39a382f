from ninja import Router

router = Router(tags=["检查对象名录库"])
