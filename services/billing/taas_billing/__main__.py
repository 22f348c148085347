"""`python -m taas_billing`: run the billing service until SIGINT/SIGTERM."""

from taas_kit.http.app import run_service
from taas_billing.app import create_app
from taas_billing.settings import BillingSettings


def main() -> None:
    """Run the billing service."""
    run_service(BillingSettings(), create_app)


if __name__ == "__main__":
    main()
