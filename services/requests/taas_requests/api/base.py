"""The service's route table (use-case refusals become problem+json in the kit's router)."""

from taas_kit.http.routing import Api

api = Api("taas requests")
route = api.route
