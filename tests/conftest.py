"""Print the regression self-check's table at the end of the run."""

from tools.self_check import REPORT


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from tests.tools import test_self_check

    if test_self_check.OUTCOMES and REPORT.exists():
        terminalreporter.write_sep("=", "regression self-check (reports/self-check.md)")
        terminalreporter.write_line(REPORT.read_text())
