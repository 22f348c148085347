"""`python -m taas_requests`: run the requests service until SIGINT/SIGTERM."""

from taas_kit.http.app import run_service
from taas_requests.app import create_app
from taas_requests.settings import RequestsSettings


def main() -> None:
    """Run the requests service."""
    run_service(RequestsSettings(), create_app)


if __name__ == "__main__":
    main()
