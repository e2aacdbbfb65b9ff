import math

SAFE_NAMES = {"sqrt": math.sqrt, "abs": abs}


def apply_formula(formula, values):
    expr = formula.replace("$total", str(values.get("total", 0)))
    return eval(expr, {"__builtins__": {}}, SAFE_NAMES)
