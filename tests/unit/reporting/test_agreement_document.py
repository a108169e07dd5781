from servanda.reporting.agreement_document import agreement_document, render_markdown
from servanda.specs.loader import load_definitions
from tests.reports_scenario import EXAMPLE


def test_the_contract_document_shows_targets_per_priority_and_the_credit_bands():
    document = agreement_document(load_definitions(EXAMPLE), "gold")
    text = render_markdown(document)
    assert "| P1 | 30m (24x7), goal 98% | 4h (24x7), goal 98% |" in text
    assert "| 90% | 15% |" in text
    assert (
        "Credits are capped at 30% of the monthly fees of the services they are earned on." in text
    )
    assert "ACME GmbH (acme), Globex Corporation (globex)" in text
    assert "2026-12-24 Christmas Eve" in text  # berlin-office holidays of the first year


def test_the_contract_document_lists_responsibilities_pauses_and_review():
    text = render_markdown(agreement_document(load_definitions(EXAMPLE), "corporate-standard"))
    assert "- Name two authorised contacts" in text
    assert "waiting_on_customer, waiting_on_vendor" in text
    assert "every 12 months; next 2027-01-01" in text
