"""Routes: a provider's offers and their answers."""

from taas_dispatch.api.common import api, deps_of, now, problem_of, provider_of, transaction
from taas_dispatch.api.models import AnswerRead, DeclineCreate, OfferQuery, OfferRead
from taas_dispatch.handlers import answers
from taas_dispatch.repository import offers as offer_repo
from taas_kit.auth import ApiRole
from taas_kit.http.keys import POOL
from taas_kit.http.routing import Call

PROVIDER = {ApiRole.PROVIDER}
_ANSWER_ERRORS = {404: "No such offer (or not yours)", 409: "Already answered, expired, withdrawn, or booked elsewhere"}


@api.route("GET", "/v1/offers", summary="Your offers, newest first", roles=PROVIDER, query=OfferQuery,
           response=list[OfferRead], tags=("offers",))
async def list_offers(call: Call) -> list[OfferRead]:
    async with call.request.app[POOL].acquire() as conn:
        rows = await offer_repo.for_provider(conn, provider_of(call), call.query.status, call.query.limit)
    return [OfferRead(**{k: r[k] for k in OfferRead.model_fields}) for r in rows]


@api.route("POST", "/v1/offers/{offer_id}/accept", summary="Accept an offer (first accept wins)", roles=PROVIDER,
           response=AnswerRead, tags=("offers",), extra_responses=_ANSWER_ERRORS)
async def accept_offer(call: Call) -> AnswerRead:
    async with transaction(call) as conn:
        answer = await answers.accept(conn, deps_of(call), provider_of(call), call.path["offer_id"], now())
    if answer.refusal is not None:
        raise problem_of(answer.refusal)  # the decline it caused is committed: the request moved on
    return AnswerRead(offer_id=answer.offer_id, request_id=answer.request_id, status=answer.status,
                      assignment_id=answer.assignment_id)


@api.route("POST", "/v1/offers/{offer_id}/decline", summary="Decline an offer, with a reason", roles=PROVIDER,
           body=DeclineCreate, response=AnswerRead, tags=("offers",), extra_responses=_ANSWER_ERRORS)
async def decline_offer(call: Call) -> AnswerRead:
    async with transaction(call) as conn:
        answer = await answers.decline(conn, deps_of(call), provider_of(call), call.path["offer_id"],
                                       call.body.reason, now())
    return AnswerRead(offer_id=answer.offer_id, request_id=answer.request_id, status=answer.status)
