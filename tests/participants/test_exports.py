"""CSV cells that a spreadsheet would run as formulas are neutralised (no database)."""

import pytest

from participants.exports import neutralise


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Seen at home = fine", "Seen at home = fine"),
        ("", ""),
        (None, ""),
        (45, "45"),
    ],
)
def test_a_cell_that_could_run_as_a_formula_gets_a_leading_quote(value, cell):
    assert neutralise(value) == cell
