from ninja import Router

router = Router(tags=["执法检查人员名录库"])
