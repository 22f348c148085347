"""Use cases of the availability service, listed in one table (plain async functions)."""

from taas_availability.handlers import credentials, load, profiles, refresh, schedule

USE_CASES = {
    "create_provider": profiles.create_provider,
    "get_provider": profiles.get_provider,
    "update_provider": profiles.update_provider,
    "list_providers": profiles.list_providers,
    "issue_token": profiles.issue_token,
    "put_schedule": schedule.put_schedule,
    "add_exception": schedule.add_exception,
    "delete_exception": schedule.delete_exception,
    "set_status": schedule.set_status,
    "get_load": load.get_load,
    "on_assignment_event": load.on_assignment_event,
    "expiring_for": credentials.expiring_for,
    "expiring_all": credentials.expiring_all,
    "check_credentials": credentials.check_all,
    "refresh_due": refresh.refresh_due,
}
