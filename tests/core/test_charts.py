from decimal import Decimal

from core.charts import line_chart


def test_a_line_chart_draws_each_series_with_its_own_dash_and_gaps_for_missing_years():
    chart = line_chart(
        [
            ("Gebied", [(2018, Decimal("3.9")), (2020, None), (2024, Decimal("4.0"))]),
            ("Nederland", [(2018, Decimal("4.3")), (2024, Decimal("4.32"))]),
        ],
        title="Leefbaarometer",
        ident="lbm",
    )
    assert chart.svg.count("<polyline") == 2
    assert 'stroke-dasharray="6 3"' in chart.svg  # the second series is dashed
    assert "Gebied, 2020" not in chart.svg  # a missing value is a gap, not a zero
    assert "Gebied 3,9 in 2018, 4 in 2024" in chart.summary or "Gebied 3.9 in 2018" in chart.summary
    assert 'aria-labelledby="lbm-title lbm-desc"' in chart.svg


def test_a_line_chart_marks_the_goal_and_names_it_in_the_summary():
    chart = line_chart(
        [("Gebied", [(2018, Decimal("3.9")), (2024, Decimal("4.0"))])],
        title="Score",
        goal=(2030, Decimal("4.2")),
        goal_label="doel 2030",
    )
    assert "doel 2030, 2030" in chart.svg
    assert ">2030<" in chart.svg  # the axis reaches the target year
    assert "doel 2030" in chart.summary


def test_text_in_a_line_chart_is_escaped():
    chart = line_chart([("<script>", [(2018, Decimal(1))])], title="</svg><script>x</script>")
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg


def test_a_line_chart_without_figures_says_so():
    chart = line_chart([("Gebied", [(2018, None)])], title="Score")
    assert "<polyline" not in chart.svg
    assert chart.summary.endswith(".")
