"""`python -m taas_dispatch`: run the dispatch service until SIGINT/SIGTERM."""

from taas_kit.http.app import run_service
from taas_dispatch.app import create_app
from taas_dispatch.settings import DispatchSettings


def main() -> None:
    """Run the dispatch service."""
    run_service(DispatchSettings(), create_app)


if __name__ == "__main__":
    main()
