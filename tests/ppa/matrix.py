from tests.matrix import Row, everyone

ROWS = [
    Row("home", expect=everyone(200)),
]
