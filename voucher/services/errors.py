"""What a service refuses, in words the caller can act on; the API maps each to a status."""


class ServiceError(Exception):
    title = "Request refused"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class NotFound(ServiceError):
    title = "Not found"


class Conflict(ServiceError):
    title = "Conflict"


class Rejected(ServiceError):
    title = "Cannot be processed"


class Gone(ServiceError):
    title = "Gone"
