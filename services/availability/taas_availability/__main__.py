"""`python -m taas_availability`: run the availability service until SIGINT/SIGTERM."""

from taas_kit.http.app import run_service
from taas_availability.app import create_app
from taas_availability.settings import AvailabilitySettings


def main() -> None:
    """Run the availability service."""
    run_service(AvailabilitySettings(), create_app)


if __name__ == "__main__":
    main()
