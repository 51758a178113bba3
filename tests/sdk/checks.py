"""The counted checks every Python client test uses (the SDK's and the Azure CLI's): each
prints `ok: …`, the first failure raises with what was expected and what came."""


class Checks:
    def __init__(self):
        self.passed = 0

    def ok(self, what, cond, detail=""):
        if not cond:
            raise AssertionError(f"{what}: {detail}")
        self.passed += 1
        print(f"ok: {what}", flush=True)

    def equal(self, what, actual, expected):
        self.ok(what, actual == expected, f"expected {expected!r}, got {actual!r}")

    def raises(self, what, exc_type, status, fn):
        """`fn` raises `exc_type` with HTTP `status` (an SDK error's `status_code`)."""
        try:
            fn()
        except exc_type as e:
            code = getattr(e, "status_code", None)
            self.ok(what, code == status, f"expected HTTP {status}, got {code}: {e}")
            return e
        self.ok(what, False, f"expected {exc_type.__name__} ({status}), nothing was raised")
        return None
