"""Every GE suite of the code location, gathered from the domains that own them."""

from orchestration.defs.comtrade import checks as comtrade_checks
from orchestration.defs.customs import checks as customs_checks
from orchestration.defs.gdp import checks as gdp_checks
from orchestration.defs.reference import checks as reference_checks

ALL_SUITES = [
    *customs_checks.SUITES,
    *comtrade_checks.SUITES,
    *gdp_checks.SUITES,
    *reference_checks.SUITES,
]
