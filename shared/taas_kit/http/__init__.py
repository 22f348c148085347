"""HTTP kit: app factory, typed routes with OpenAPI, problem+json errors, auth."""
